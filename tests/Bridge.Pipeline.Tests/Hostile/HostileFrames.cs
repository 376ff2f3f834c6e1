using System.Buffers.Binary;
using Bridge.Packets;
using Bridge.Pipeline.Tests.Support;

namespace Bridge.Pipeline.Tests.Hostile;

/// <summary>
/// One hostile case: frames that must be forwarded first (the first fragment a teardrop
/// overlaps), then the hostile frame, the port it arrives on and the asp-drop reason it must be
/// counted under.
/// </summary>
public sealed record HostileCase(string Name, DropReason Reason, byte[] Frame, int Port = TestBed.Inside, byte[][]? Prelude = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The table of hostile frames of reliability issue §2, built against the seed bed (host A on
/// INSIDE, VLAN 1577; host B on OUTSIDE). Malformed frames are good frames damaged after
/// building, so every other field stays plausible and only the named lie is tested.
/// </summary>
public static class HostileFrames
{
    public static readonly IpAddr V6A = IpAddr.Parse("2001:db8:103::1");
    public static readonly IpAddr V6B = IpAddr.Parse("2001:db8:101::1");

    /// <summary>Tagged Ethernet (14 + 4): where host A's L3 header starts.</summary>
    private const int L3 = 18;
    /// <summary>Where the transport header starts behind an option-less IPv4 header.</summary>
    private const int L4 = L3 + 20;

    private static FrameBuilder V4() => TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB);

    private static FrameBuilder V6(byte hopLimit = 64) => TestBed.FromA().Ipv6(V6A, V6B, hopLimit);

    private static byte[] Damage(byte[] frame, Action<Span<byte>> lie)
    {
        lie(frame);
        return frame;
    }

    private static byte[] Cut(byte[] frame, int length) => frame.AsSpan(0, length).ToArray();

    private static void SetU16(Span<byte> frame, int at, int value) => BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(at), (ushort)value);

    public static IEnumerable<HostileCase> All()
    {
        // ---- Ethernet and VLAN framing ----
        yield return new("zero-length frame", DropReason.InvalidEncap, []);
        yield return new("runt: 13 bytes, less than an Ethernet header", DropReason.InvalidEncap, Cut(TestBed.EchoRequest(1, 1), 13));
        yield return new("802.1Q tag cut after its TCI", DropReason.InvalidEncap, Cut(TestBed.EchoRequest(1, 1), 16));
        yield return new("three stacked VLAN tags", DropReason.InvalidEncap, TestBed.FromA().Vlan(5).Vlan(6).Ipv4(TestBed.IpA, TestBed.IpB).IcmpEcho(true, 1, 1).Build());
        yield return new("VLAN no nameif carries", DropReason.InvalidEncap, FrameBuilder.Ethernet(TestBed.MacA, TestBed.MacB).Vlan(99).Ipv4(TestBed.IpA, TestBed.IpB).IcmpEcho(true, 1, 1).Build());
        yield return new("unknown EtherType 0x88b5", DropReason.L2Acl, TestBed.FromA().Raw(0x88b5, new byte[46]).Build());

        // ---- IPv4 header and length lies ----
        yield return new("IPv4 header cut at 12 bytes", DropReason.InvalidIpHeader, Cut(TestBed.EchoRequest(1, 1), L3 + 12));
        yield return new("IPv4 IHL 3 (12-byte header)", DropReason.InvalidIpHeader, Damage(TestBed.EchoRequest(1, 1), f => f[L3] = 0x43));
        yield return new("IPv4 IHL 15 past the packet", DropReason.InvalidIpHeader, Damage(V4().Tcp(40001, 80, TcpFlags.Syn).Build(), f => f[L3] = 0x4F));
        yield return new("IP version 5", DropReason.UnsupportedIpVersion, Damage(TestBed.EchoRequest(1, 1), f => f[L3] = 0x55));
        yield return new("IPv4 total length past the frame", DropReason.InvalidIpLength, Damage(TestBed.EchoRequest(1, 1), f => SetU16(f, L3 + 2, f.Length - L3 + 10)));
        yield return new("IPv4 total length below the header", DropReason.InvalidIpLength, Damage(TestBed.EchoRequest(1, 1), f => SetU16(f, L3 + 2, 10)));
        yield return new("IPv4 TTL 0", DropReason.TtlExceeded, TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, ttl: 0).IcmpEcho(true, 1, 1).Build());
        yield return new("frame above the 1500 MTU", DropReason.OverMtu, V4().IcmpEcho(true, 11, 1, 1473).Build());

        // ---- IPv4 options ----
        yield return new("IPv4 option of length 0", DropReason.InvalidIpOption, V4Options([7, 0, 0, 0]));
        yield return new("IPv4 option running past the header", DropReason.InvalidIpOption, V4Options([7, 12, 4, 0]));
        var recordRoute = new byte[40];
        (recordRoute[0], recordRoute[1], recordRoute[2]) = (7, 39, 4);
        yield return new("IPv4 options bomb: 40-byte record route", DropReason.InvalidIpOption, V4Options(recordRoute));
        var timestamp = new byte[40];
        (timestamp[0], timestamp[1], timestamp[2]) = (68, 40, 5);
        yield return new("IPv4 options bomb: 40-byte timestamp", DropReason.InvalidIpOption, V4Options(timestamp));
        yield return new("IPv4 loose source route", DropReason.InvalidIpOption, V4Options([131, 7, 4, 10, 0, 0, 1, 0]));

        // ---- IPv6 ----
        yield return new("IPv6 header cut at 30 bytes", DropReason.InvalidIpHeader, Cut(V6().Udp(5000, 53, new byte[8]).Build(), L3 + 30));
        yield return new("IPv6 payload length past the frame", DropReason.InvalidIpLength, Damage(V6().Udp(5000, 53, new byte[8]).Build(), f => SetU16(f, L3 + 4, 200)));
        yield return new("IPv6 extension header running past the payload", DropReason.InvalidIpHeader,
            Damage(V6().Ipv6Extension(IpProtocol.HopByHop, new byte[6]).Udp(5000, 53, new byte[8]).Build(), f => f[L3 + 41] = 5));
        yield return new("IPv6 hop-by-hop after another extension header", DropReason.InvalidIpHeader,
            V6().Ipv6Extension(IpProtocol.DestinationOptions, new byte[6]).Ipv6Extension(IpProtocol.HopByHop, new byte[6]).Udp(5000, 53, new byte[8]).Build());
        yield return new("IPv6 hop limit 0", DropReason.TtlExceeded, V6(hopLimit: 0).Udp(5000, 53, new byte[8]).Build());

        // ---- Land attack ----
        yield return new("land attack: TCP SYN from A to A, port 139 to 139", DropReason.SpSecurityFailed,
            TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpA).Tcp(139, 139, TcpFlags.Syn, seq: 1).Build());
        yield return new("land attack: IPv6 UDP to itself", DropReason.SpSecurityFailed, TestBed.FromA().Ipv6(V6A, V6A).Udp(500, 500, new byte[8]).Build());

        // ---- TCP ----
        yield return new("TCP header cut at 10 bytes", DropReason.InvalidTcpHdrLength, V4().IpProtocol(IpProtocol.Tcp).Payload(new byte[10]).Build());
        yield return new("TCP data offset 4 (16 bytes)", DropReason.InvalidTcpHdrLength, Damage(V4().Tcp(40001, 80, TcpFlags.Syn).Build(), f => f[L4 + 12] = 0x40));
        yield return new("TCP data offset 15 past the segment", DropReason.InvalidTcpHdrLength, Damage(V4().Tcp(40001, 80, TcpFlags.Syn).Build(), f => f[L4 + 12] = 0xF0));
        yield return new("TCP option of length 1", DropReason.TcpBadOptionList, V4().Tcp(40001, 80, TcpFlags.Syn, options: [2, 1, 0, 0]).Build());
        yield return new("TCP SYN+FIN", DropReason.BadTcpFlags, V4().Tcp(40001, 80, TcpFlags.Syn | TcpFlags.Fin).Build());
        yield return new("TCP SYN+RST", DropReason.BadTcpFlags, V4().Tcp(40001, 80, TcpFlags.Syn | TcpFlags.Rst).Build());
        yield return new("TCP null scan (no flags)", DropReason.BadTcpFlags, V4().Tcp(40001, 80, TcpFlags.None).Build());
        yield return new("TCP xmas scan (FIN+PSH+URG)", DropReason.BadTcpFlags, V4().Tcp(40001, 80, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg).Build());
        yield return new("TCP FIN scan (FIN without ACK)", DropReason.BadTcpFlags, V4().Tcp(40001, 80, TcpFlags.Fin).Build());

        // ---- UDP and ICMP ----
        yield return new("UDP header cut at 4 bytes", DropReason.InvalidUdpLength, V4().IpProtocol(IpProtocol.Udp).Payload(new byte[4]).Build());
        yield return new("UDP length past the datagram", DropReason.InvalidUdpLength, Damage(V4().Udp(5000, 53, new byte[12]).Build(), f => SetU16(f, L4 + 4, 30)));
        yield return new("UDP length below its header", DropReason.InvalidUdpLength, Damage(V4().Udp(5000, 53, new byte[12]).Build(), f => SetU16(f, L4 + 4, 4)));
        yield return new("ICMP header cut at 4 bytes", DropReason.InvalidIpLength, V4().IpProtocol(IpProtocol.Icmp).Payload(new byte[4]).Build());

        // ---- Fragments ----
        yield return new("tiny first fragment: 8 bytes of a TCP header", DropReason.FragmentReassemblyFailed,
            TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 78).Fragment(0, true).IpProtocol(IpProtocol.Tcp).Payload(new byte[8]).Build());
        yield return new("non-first fragment without its first", DropReason.FragmentReassemblyFailed,
            TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 79).Fragment(800, false).IpProtocol(IpProtocol.Udp).Payload(new byte[24]).Build());
        yield return new("ping of death: last fragment ends past 65535", DropReason.FragmentReassemblyFailed,
            TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 80).Fragment(65528, false).IpProtocol(IpProtocol.Icmp).Payload(new byte[16]).Build());
        yield return new("teardrop: second fragment overlaps the first", DropReason.FragmentReassemblyFailed,
            TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 77).Fragment(24, false).IpProtocol(IpProtocol.Icmp).Payload(new byte[16]).Build(),
            Prelude: [TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 77).Fragment(0, true).IcmpEcho(true, 9, 1, 32).Build()]);
        yield return new("IPv6 overlapping fragment", DropReason.FragmentReassemblyFailed,
            V6().Fragment(8, false, 0x4242).IpProtocol(IpProtocol.Udp).Payload(new byte[16]).Build(),
            Prelude: [V6().Fragment(0, true, 0x4242).Udp(5000, 53, new byte[16]).Build()]);
    }

    private static byte[] V4Options(byte[] options) => TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, options: options).IcmpEcho(true, 12, 1).Build();

    public static HostileCase Named(string name)
    {
        foreach (var c in All())
        {
            if (c.Name == name) return c;
        }
        throw new ArgumentException($"no hostile case named '{name}'", nameof(name));
    }
}
