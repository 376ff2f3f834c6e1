namespace Bridge.Capture.Tests.Tcpdump;

/// <summary>
/// The same filter expression selects the same frames as tcpdump: both print <c>-nn -q</c> lines
/// (one per frame, no application decoding) and the outputs must be identical.
/// </summary>
public sealed class TcpdumpFilterOracleTests
{
    [Theory]
    [InlineData(OraclePcaps.Built, "host 192.0.2.1")]
    [InlineData(OraclePcaps.Built, "src host 198.51.100.2")]
    [InlineData(OraclePcaps.Built, "dst host 192.0.2.1")]
    [InlineData(OraclePcaps.Built, "net 192.0.2.0/24")]
    [InlineData(OraclePcaps.Built, "src net 198.51.100.0 mask 255.255.255.0")]
    [InlineData(OraclePcaps.Built, "net 10")]
    [InlineData(OraclePcaps.Built, "port 9000")]
    [InlineData(OraclePcaps.Built, "src port 40000")]
    [InlineData(OraclePcaps.Built, "dst port 6666")]
    [InlineData(OraclePcaps.Built, "portrange 9000-9002")]
    [InlineData(OraclePcaps.Built, "tcp")]
    [InlineData(OraclePcaps.Built, "udp")]
    [InlineData(OraclePcaps.Built, "icmp")]
    [InlineData(OraclePcaps.Built, "icmp6")]
    [InlineData(OraclePcaps.Built, "arp")]
    [InlineData(OraclePcaps.Built, "ip")]
    [InlineData(OraclePcaps.Built, "ip6")]
    [InlineData(OraclePcaps.Built, "vlan")]
    [InlineData(OraclePcaps.Built, "vlan 1577")]
    [InlineData(OraclePcaps.Built, "vlan and icmp")]
    [InlineData(OraclePcaps.Built, "vlan 100 and arp")]
    [InlineData(OraclePcaps.Built, "vlan and ip6")]
    [InlineData(OraclePcaps.Built, "vlan 10 and vlan 20")]
    [InlineData(OraclePcaps.Built, "not vlan")]
    [InlineData(OraclePcaps.Built, "ether host 02:00:00:00:00:03")]
    [InlineData(OraclePcaps.Built, "ether broadcast")]
    [InlineData(OraclePcaps.Built, "ether multicast")]
    [InlineData(OraclePcaps.Built, "ether proto 0x88b5")]
    [InlineData(OraclePcaps.Built, "tcp[tcpflags] & tcp-syn != 0")]
    [InlineData(OraclePcaps.Built, "tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)")]
    [InlineData(OraclePcaps.Built, "tcp[tcpflags] & tcp-rst != 0")]
    [InlineData(OraclePcaps.Built, "tcp[tcpflags] == tcp-fin|tcp-ack")]
    [InlineData(OraclePcaps.Built, "tcp[13] & 0x20 != 0")]
    [InlineData(OraclePcaps.Built, "icmp[icmptype] == icmp-echo")]
    [InlineData(OraclePcaps.Built, "icmp[icmptype] == icmp-unreach")]
    [InlineData(OraclePcaps.Built, "ip[1] & 0x3 != 0")]
    [InlineData(OraclePcaps.Built, "ip[8] < 5")]
    [InlineData(OraclePcaps.Built, "ip[6:2] & 0x3fff != 0")]
    [InlineData(OraclePcaps.Built, "ip[0] & 0xf > 5")]
    [InlineData(OraclePcaps.Built, "ip6[40] == 135")]
    [InlineData(OraclePcaps.Built, "ip proto 253")]
    [InlineData(OraclePcaps.Built, "ip6 and tcp")]
    [InlineData(OraclePcaps.Built, "ip6 host 2001:db8::1")]
    [InlineData(OraclePcaps.Built, "ip6 net fe80::/10")]
    [InlineData(OraclePcaps.Built, "greater 100")]
    [InlineData(OraclePcaps.Built, "less 60")]
    [InlineData(OraclePcaps.Built, "len > 70 and udp")]
    [InlineData(OraclePcaps.Built, "tcp and (port 9000 or port 9001)")]
    [InlineData(OraclePcaps.Built, "host 192.0.2.1 and not icmp")]
    [InlineData(OraclePcaps.Built, "udp or arp")]
    [InlineData(OraclePcaps.Built, "(tcp or udp) and not port 9000")]
    [InlineData(OraclePcaps.Built, "ip and ip[9] == 17 and not ip[6:2] & 0x1fff != 0")]
    [InlineData(OraclePcaps.Built, "ip multicast or ip6 multicast")]
    [InlineData("arppoison.pcapng", "arp")]
    [InlineData("arppoison.pcapng", "arp and ether src 00:21:70:c0:56:f0")]
    [InlineData("arppoison.pcapng", "udp port 53")]
    [InlineData("arppoison.pcapng", "tcp and dst port 80 and tcp[tcpflags] & tcp-push != 0")]
    [InlineData("dns_isp_hijack.pcapng", "src host 4.2.2.1")]
    [InlineData("dns_isp_hijack.pcapng", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0")]
    [InlineData("http_espn.pcapng", "host 199.181.132.250 and greater 1000")]
    [InlineData("http_espn.pcapng", "net 172.16.0.0/16 and not port 80")]
    [InlineData("ip_frag_source.pcapng", "ip[6:2] & 0x1fff != 0")]
    [InlineData("ip_frag_source.pcapng", "icmp")]
    [InlineData("ipv6_fragments.pcapng", "ip6 and ip6[6] == 44")]
    [InlineData("ipv6_fragments.pcapng", "icmp6")]
    [InlineData("synscan.pcapng", "dst portrange 1-1024")]
    [InlineData("synscan.pcapng", "tcp[tcpflags] == tcp-syn and dst port 443")]
    [InlineData("synscan.pcapng", "tcp[tcpflags] & tcp-rst != 0")]
    [InlineData("tcp_ports.pcapng", "tcp port 80 and len > 1000")]
    [InlineData("tcp_ports.pcapng", "not tcp")]
    public void SelectsTheFramesTcpdumpSelects(string pcap, string expression)
    {
        var args = new List<string> { "-nn", "-q", "-r", OraclePcaps.PathOf(pcap), expression };

        var real = TcpdumpOracle.Real(args);
        var ours = TcpdumpOracle.Bridge(args);

        Assert.Equal(0, real.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(real.Stderr, ours.Stderr);
        Assert.Equal(real.Stdout, ours.Stdout);
    }

    [Theory]
    [InlineData("tcp and and")]
    [InlineData("host 1.2.3.400")]
    [InlineData("foo")]
    [InlineData("port 99999")]
    [InlineData("vlan 5000")]
    [InlineData("tcp[tcpflags] & ")]
    public void RefusesWhatTcpdumpRefusesWithItsText(string expression)
    {
        var args = new List<string> { "-nn", "-r", OraclePcaps.PathOf(OraclePcaps.Built), expression };

        var real = TcpdumpOracle.Real(args);
        var ours = TcpdumpOracle.Bridge(args);

        Assert.Equal(1, real.ExitCode);
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal("", ours.Stdout);
        Assert.Equal(real.Stderr, ours.Stderr);
    }
}
