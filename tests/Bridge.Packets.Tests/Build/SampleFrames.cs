namespace Bridge.Packets.Tests;

/// <summary>Named frames covering every builder layer, shared by builder, decoder and pcap tests.</summary>
internal static class SampleFrames
{
    public static readonly MacAddr HostA = new(0x000C_2998_3FECUL);
    public static readonly MacAddr HostB = new(0x0050_5691_1A2BUL);
    public static readonly IpAddr A4 = IpAddr.Parse("192.168.103.1");
    public static readonly IpAddr B4 = IpAddr.Parse("192.168.101.1");
    public static readonly IpAddr A6 = IpAddr.Parse("2001:db8:103::1");
    public static readonly IpAddr B6 = IpAddr.Parse("2001:db8:101::1");

    /// <summary>MSS 1460, SACK permitted, timestamps 1000/0, NOP, window scale 7: a Linux SYN's option list.</summary>
    public static readonly byte[] LinuxSynOptions =
    [
        2, 4, 0x05, 0xB4,
        4, 2,
        8, 10, 0, 0, 0x03, 0xE8, 0, 0, 0, 0,
        1,
        3, 3, 7,
    ];

    /// <summary>LLC 42 42 03 + an 802.1D configuration BPDU (35 bytes) with bridge priority 32768.</summary>
    public static readonly byte[] StpConfigBpdu =
    [
        0x42, 0x42, 0x03,
        0, 0, 0, 0, 0,
        0x80, 0, 0, 0x0C, 0x29, 0x98, 0x3F, 0xEC,
        0, 0, 0, 0,
        0x80, 0, 0, 0x0C, 0x29, 0x98, 0x3F, 0xEC,
        0x80, 0x01,
        0, 0, 0x14, 0, 0x02, 0, 0x0F, 0,
    ];

    /// <summary>A bare 30-byte IPX header: checksum FFFF, length 30, no payload.</summary>
    public static readonly byte[] IpxHeader =
    [
        0xFF, 0xFF, 0, 30, 0, 4,
        0, 0, 0, 1, 0, 0x50, 0x56, 0x91, 0x1A, 0x2B, 0x40, 0x00,
        0, 0, 0, 1, 0, 0x0C, 0x29, 0x98, 0x3F, 0xEC, 0x40, 0x00,
    ];

    public static IEnumerable<(string Name, byte[] Frame)> All()
    {
        yield return ("tcp-syn-vlan", FrameBuilder.Ethernet(HostA, HostB).Vlan(1577, pcp: 3).Ipv4(A4, B4, id: 0x1234, dontFragment: true)
            .Tcp(40000, 443, TcpFlags.Syn, seq: 1000, options: LinuxSynOptions).Build());
        yield return ("tcp-data", FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4)
            .Tcp(40000, 80, TcpFlags.Ack | TcpFlags.Psh, seq: 1001, ack: 5000, payload: "GET / HTTP/1.0\r\n\r\n"u8.ToArray()).Build());
        yield return ("udp-qinq", FrameBuilder.Ethernet(HostA, HostB).Vlan(100, tpid: EtherTypes.QinQ).Vlan(200).Ipv4(A4, B4)
            .Udp(5353, 53, new byte[37]).Build());
        yield return ("udp-padded", FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Udp(1000, 2000, [1, 2, 3]).PadTo(60).Build());
        yield return ("icmp-echo", FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).IcmpEcho(true, 0x0001, 7, 56).Build());
        yield return ("icmp-unreachable", FrameBuilder.Ethernet(HostB, HostA).Ipv4(B4, A4).Icmp(3, 3, new byte[4 + 28]).Build());
        yield return ("ipv4-options", FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4, options: [148, 4, 0, 0, 1]).Udp(1, 2).Build());
        yield return ("ipv4-fragment", FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4, id: 77).Fragment(1480, true).Payload(new byte[64]).IpProtocol(IpProtocol.Udp).Build());
        yield return ("tcp6", FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Tcp(50000, 22, TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, seq: 7).Build());
        yield return ("udp6", FrameBuilder.Ethernet(HostA, HostB).Vlan(10).Ipv6(A6, B6).Udp(546, 547, new byte[11]).Build());
        yield return ("icmp6-echo", FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).IcmpEcho(false, 9, 10).Build());
        yield return ("ipv6-ext", FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6)
            .Ipv6Extension(IpProtocol.HopByHop, [5, 2, 0, 0]).Ipv6Extension(IpProtocol.DestinationOptions, [])
            .Udp(1234, 4321, new byte[5]).Build());
        yield return ("ipv6-fragment", FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Fragment(0, true, 0xCAFE).Udp(7, 7, new byte[40]).Build());
        yield return ("arp-request", FrameBuilder.Ethernet(HostA, MacAddr.Broadcast).Arp(1, HostA, A4, default, B4).PadTo(60).Build());
        yield return ("stp-llc", FrameBuilder.Ethernet(HostA, new MacAddr(0x0180_C200_0000UL)).Llc(StpConfigBpdu).PadTo(60).Build());
        yield return ("ipx-raw", FrameBuilder.Ethernet(HostA, HostB).Raw(EtherTypes.Ipx, IpxHeader).Build());
    }

    public static byte[] Get(string name)
    {
        foreach (var (n, f) in All())
        {
            if (n == name) return f;
        }
        throw new ArgumentException(name);
    }
}
