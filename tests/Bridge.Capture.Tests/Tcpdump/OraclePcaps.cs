using Bridge.Packets;
using Bridge.Packets.Pcap;

namespace Bridge.Capture.Tests.Tcpdump;

/// <summary>
/// The pcaps the oracle tests compare on: the shared real-world captures, plus one built here
/// with what those lack (802.1Q and QinQ tags, ARP, IPv6 with ICMPv6 neighbour discovery and a
/// fragment header, TCP with every common option and a whole handshake, ICMP errors, bad
/// checksums, IP fragments, an unknown EtherType). Ports are ones tcpdump has no application
/// printer for, so its lines end where Bridge's do.
/// </summary>
public static class OraclePcaps
{
    public const string SharedDirectory = "/work/shared/data/pcaps";

    /// <summary>Name of the built pcap in theory data.</summary>
    public const string Built = "built";

    /// <summary>Prefix of the built pcap's frames cut to N bytes (<c>built-cut-54</c>), as a capture with <c>-s N</c> stores them.</summary>
    public const string BuiltCut = "built-cut-";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Lazy<string>> Written = new();

    /// <summary>Path of a pcap named in theory data: <see cref="Built"/>, <see cref="BuiltCut"/>N or a file of the shared directory.</summary>
    public static string PathOf(string name)
    {
        if (name == Built) return Written.GetOrAdd(0, _ => new Lazy<string>(() => WriteBuilt(0))).Value;
        if (name.StartsWith(BuiltCut, StringComparison.Ordinal))
        {
            int cut = int.Parse(name.AsSpan(BuiltCut.Length));
            return Written.GetOrAdd(cut, c => new Lazy<string>(() => WriteBuilt(c))).Value;
        }
        return System.IO.Path.Combine(SharedDirectory, name);
    }

    private static MacAddr Mac(string text) => MacAddr.TryParse(text, out var mac) ? mac : throw new ArgumentException(text);

    private static IpAddr Ip(string text) => IpAddr.Parse(text);

    private static readonly MacAddr HostA = Mac("02:00:00:00:00:01");
    private static readonly MacAddr HostB = Mac("02:00:00:00:00:02");

    private static FrameBuilder AtoB() => FrameBuilder.Ethernet(HostA, HostB);

    private static FrameBuilder BtoA() => FrameBuilder.Ethernet(HostB, HostA);

    private static byte[] TcpOptions(params byte[] bytes) => bytes;

    public static List<byte[]> BuiltFrames()
    {
        var a = Ip("192.0.2.1");
        var b = Ip("198.51.100.2");
        var a6 = Ip("2001:db8::1");
        var b6 = Ip("2001:db8::2");
        byte[] synOptions = TcpOptions(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 1, 3, 3, 7);
        byte[] synAckOptions = TcpOptions(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x03, 0xe7, 0, 0, 0x30, 0x39, 1, 3, 3, 7);
        byte[] tsOptions = TcpOptions(1, 1, 8, 10, 0, 0, 0x30, 0x3a, 0, 0, 0x03, 0xe7);
        byte[] sackOptions = TcpOptions(1, 1, 5, 10, 0, 0, 0x04, 0x4c, 0, 0, 0x04, 0xb0);
        var frames = new List<byte[]>
        {
            AtoB().Ipv4(a, b, id: 1, dontFragment: true).IcmpEcho(true, 7, 1).Build(),
            BtoA().Ipv4(b, a, id: 2).IcmpEcho(false, 7, 1).Build(),
            AtoB().Vlan(1577, 3).Ipv4(a, b, tos: 0xb8).IcmpEcho(true, 7, 2).Build(),
            AtoB().Vlan(100).Arp(1, HostA, a, default, Ip("192.0.2.254")).Build(),
            FrameBuilder.Ethernet(HostA, Mac("ff:ff:ff:ff:ff:ff")).Arp(1, HostA, a, default, Ip("192.0.2.254")).PadTo(60).Build(),
            FrameBuilder.Ethernet(Mac("02:00:00:00:00:03"), HostA).Arp(2, Mac("02:00:00:00:00:03"), Ip("192.0.2.254"), HostA, a).Build(),
            FrameBuilder.Ethernet(HostA, Mac("ff:ff:ff:ff:ff:ff")).Arp(1, HostA, a, Mac("ff:ff:ff:ff:ff:ff"), b).Build(),
            // A whole TCP connection: SYN, SYN-ACK, ACK, data, SACK, FIN, RST; then ECN and URG.
            AtoB().Ipv4(a, b, ttl: 3).Tcp(40000, 9000, TcpFlags.Syn, seq: 1000, window: 64240, options: synOptions).Build(),
            BtoA().Ipv4(b, a).Tcp(9000, 40000, TcpFlags.Syn | TcpFlags.Ack, seq: 5000, ack: 1001, window: 65160, options: synAckOptions).Build(),
            AtoB().Ipv4(a, b).Tcp(40000, 9000, TcpFlags.Ack, seq: 1001, ack: 5001, window: 502, options: tsOptions).Build(),
            AtoB().Ipv4(a, b).Tcp(40000, 9000, TcpFlags.Psh | TcpFlags.Ack, seq: 1001, ack: 5001, window: 502, payload: new byte[36]).Build(),
            BtoA().Ipv4(b, a).Tcp(9000, 40000, TcpFlags.Ack, seq: 5001, ack: 1037, window: 509, options: sackOptions).Build(),
            AtoB().Ipv4(a, b).Tcp(40000, 9000, TcpFlags.Fin | TcpFlags.Ack, seq: 1037, ack: 5001, window: 502).Build(),
            AtoB().Ipv4(a, b).Tcp(40000, 9000, TcpFlags.Rst, seq: 1038, window: 0).Build(),
            AtoB().Ipv4(a, b, tos: 2).Tcp(40001, 9001, TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, seq: 77, window: 1024).Build(),
            AtoB().Ipv4(a, b, tos: 3).Tcp(40001, 9001, TcpFlags.Urg | TcpFlags.Ack, seq: 78, ack: 1, window: 1024, payload: "abcdef"u8.ToArray()).Build(),
            AtoB().Ipv4(a, b).Tcp(40002, 9002, TcpFlags.None, window: 8192, options: TcpOptions(99, 4, 1, 2)).Build(),
            AtoB().Ipv4(a, b).Tcp(40002, 9002, TcpFlags.Ack, seq: 5, ack: 6, options: TcpOptions(2, 4, 5, 0xb4, 1, 3, 3, 2, 4, 2, 0, 0)).Build(),
            AtoB().Ipv4(a, b).Udp(5555, 6666, "payload-bytes"u8.ToArray()).Build(),
            AtoB().Ipv4(a, b).Udp(1, 2).PadTo(60).Build(),
            AtoB().Ipv4(a, b).Icmp(3, 3, [0, 0, 0, 0, .. InnerUdp(b, a, 6666, 5555)]).Build(),
            AtoB().Ipv4(a, b).Icmp(3, 1, [0, 0, 0, 0, .. InnerUdp(b, a, 6666, 5555)]).Build(),
            AtoB().Ipv4(a, b).Icmp(3, 4, [0, 0, 0x05, 0x78, .. InnerUdp(b, a, 6666, 5555)]).Build(),
            AtoB().Ipv4(a, b).Icmp(3, 13, [0, 0, 0, 0, .. InnerUdp(b, a, 6666, 5555)]).Build(),
            AtoB().Ipv4(a, b).Icmp(11, 0, [0, 0, 0, 0, .. InnerUdp(b, a, 6666, 33434)]).Build(),
            AtoB().Ipv4(a, b).Icmp(13, 0, new byte[16]).Build(),
            AtoB().Ipv4(a, b, id: 9).Fragment(0, true).Udp(5555, 6666, new byte[100]).Build(),
            AtoB().Ipv4(a, b, id: 9).Fragment(104, false).Payload(new byte[60]).IpProtocol(17).Build(),
            AtoB().Ipv4(a, b).Payload(new byte[20]).Build(),
            AtoB().Ipv4(a, b, options: [0x94, 4, 0, 0]).Udp(5000, 5001, "ra"u8.ToArray()).Build(),
            FrameBuilder.Ethernet(HostA, Mac("33:33:00:00:00:01")).Ipv6(a6, b6).IcmpEcho(true, 5, 9, 5).Build(),
            FrameBuilder.Ethernet(HostA, Mac("33:33:ff:00:00:02")).Ipv6(Ip("fe80::1"), Ip("ff02::1:ff00:2"), 255)
                .Icmp(135, 0, [0, 0, 0, 0, .. V6Bytes("fe80::2"), 1, 1, .. MacBytes(HostA)]).Build(),
            FrameBuilder.Ethernet(HostB, HostA).Ipv6(Ip("fe80::2"), Ip("fe80::1"), 255)
                .Icmp(136, 0, [0x60, 0, 0, 0, .. V6Bytes("fe80::2"), 2, 1, .. MacBytes(HostB)]).Build(),
            FrameBuilder.Ethernet(HostA, Mac("33:33:00:00:00:02")).Ipv6(Ip("fe80::1"), Ip("ff02::2"), 255).Icmp(133, 0, new byte[4]).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Tcp(40000, 9000, TcpFlags.Syn, seq: 1, window: 8192, options: TcpOptions(2, 4, 5, 0xa0)).Build(),
            FrameBuilder.Ethernet(HostB, HostA).Ipv6(b6, a6).Tcp(9000, 40000, TcpFlags.Syn | TcpFlags.Ack, seq: 100, ack: 2, window: 8192).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Tcp(40000, 9000, TcpFlags.Psh | TcpFlags.Ack, seq: 2, ack: 101, window: 8192, payload: "data"u8.ToArray()).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Udp(1234, 4321, "u6"u8.ToArray()).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Icmp(1, 4, [0, 0, 0, 0, .. InnerUdp6(b6, a6, 4321, 1234)]).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Icmp(2, 0, [0, 0, 5, 0, .. InnerUdp6(b6, a6, 4321, 1234)]).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Icmp(3, 0, [0, 0, 0, 0, .. InnerUdp6(b6, a6, 4321, 1234)]).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Fragment(0, true, 0xabcdef).Udp(1111, 2222, new byte[40]).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).Fragment(48, false, 0xabcdef).Payload(new byte[16]).IpProtocol(17).Build(),
            FrameBuilder.Ethernet(HostA, HostB).Ipv6(Ip("::ffff:192.0.2.1"), Ip("2001:db8:0:0:1:0:0:1")).Udp(1, 2).Build(),
            AtoB().Vlan(200).Ipv6(a6, b6).Udp(1234, 4321, "u6v"u8.ToArray()).Build(),
            AtoB().Vlan(10, 0, EtherTypes.QinQ).Vlan(20, 5).Ipv4(Ip("10.0.0.1"), Ip("10.0.0.2")).Udp(3333, 4444).Build(),
            AtoB().Vlan(5, 7).Ipv4(Ip("10.0.0.1"), Ip("10.0.0.2")).Tcp(3333, 4444, TcpFlags.Ack, seq: 10, ack: 20).Build(),
            AtoB().Raw(0x88b5, [.. Enumerable.Repeat((byte)0x41, 50)]).Build(),
        };
        // Bad checksums: IP header, TCP, UDP, ICMP, ICMPv6 (tcpdump -v reports them).
        frames.Add(Corrupt(AtoB().Ipv4(a, b).Tcp(40003, 9003, TcpFlags.Syn, window: 8192).Build(), 14 + 10));
        frames.Add(Corrupt(AtoB().Ipv4(a, b).Tcp(40003, 9003, TcpFlags.Syn, window: 8192).Build(), 14 + 20 + 16));
        frames.Add(Corrupt(AtoB().Ipv4(a, b).Udp(5555, 6666, "badsum"u8.ToArray()).Build(), 14 + 20 + 6));
        frames.Add(Corrupt(AtoB().Ipv4(a, b).IcmpEcho(false, 1, 2, 3).Build(), 14 + 20 + 2));
        frames.Add(Corrupt(FrameBuilder.Ethernet(HostA, HostB).Ipv6(a6, b6).IcmpEcho(true, 1, 1, 0).Build(), 14 + 40 + 2));
        var zeroSum = AtoB().Ipv4(a, b).Udp(5555, 6666, "nocksum"u8.ToArray()).Build();
        zeroSum[14 + 20 + 6] = 0;
        zeroSum[14 + 20 + 7] = 0;
        frames.Add(zeroSum);
        return frames;
    }

    private static byte[] V6Bytes(string text)
    {
        var bytes = new byte[16];
        Ip(text).WriteV6(bytes);
        return bytes;
    }

    private static byte[] MacBytes(MacAddr mac)
    {
        var bytes = new byte[6];
        mac.Write(bytes);
        return bytes;
    }

    private static byte[] Corrupt(byte[] frame, int checksumOffset)
    {
        frame[checksumOffset] ^= 0x5a;
        return frame;
    }

    private static byte[] InnerUdp(IpAddr src, IpAddr dst, ushort sport, ushort dport)
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(src, dst).Udp(sport, dport, "abcd"u8.ToArray()).Build();
        return frame.AsSpan(14).ToArray();
    }

    private static byte[] InnerUdp6(IpAddr src, IpAddr dst, ushort sport, ushort dport)
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(src, dst).Udp(sport, dport).Build();
        return frame.AsSpan(14).ToArray();
    }

    /// <param name="cut">Bytes kept of each frame; 0 keeps them whole.</param>
    private static string WriteBuilt(int cut)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bridge-tcpdump-oracle-{Environment.ProcessId}-{cut}.pcap");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        using (var writer = new PcapWriter(File.Create(path), snapLength: cut == 0 ? 65535 : cut))
        {
            long t = 1_700_000_000_000_000_000L;
            foreach (var frame in BuiltFrames())
            {
                writer.Write(t, frame.AsSpan(0, cut == 0 ? frame.Length : Math.Min(cut, frame.Length)), frame.Length);
                t += 1_234_567;
            }
        }
        return path;
    }
}
