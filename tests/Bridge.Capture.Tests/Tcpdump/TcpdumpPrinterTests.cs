using Bridge.Capture.Tcpdump;
using Bridge.Packets;

namespace Bridge.Capture.Tests.Tcpdump;

/// <summary>Printer behaviour pinned without the oracle (fixed expected text from tcpdump 4.99).</summary>
public sealed class TcpdumpPrinterTests
{
    private static readonly MacAddr A = MacAddr.TryParse("02:00:00:00:00:01", out var a) ? a : default;
    private static readonly MacAddr B = MacAddr.TryParse("02:00:00:00:00:02", out var b) ? b : default;
    private const long Noon = 1_700_000_000_000_000_000L + 123_456_789L;

    private static TcpdumpPrinter Printer(string flags) =>
        new(TcpdumpOptions.Parse(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)), ServiceNames.Load("/nonexistent", "/nonexistent"), TimeZoneInfo.Utc);

    [Fact]
    public void IcmpEchoAsInTheFtdReference()
    {
        var frame = FrameBuilder.Ethernet(A, B).Vlan(1577).Ipv4(IpAddr.Parse("192.168.103.1"), IpAddr.Parse("192.168.101.1")).IcmpEcho(true, 0, 1, 72).Build();

        Assert.Equal("22:13:20.123456 IP 192.168.103.1 > 192.168.101.1: ICMP echo request, id 0, seq 1, length 80\n",
            Printer("-n").Print(Noon, frame, frame.Length));
    }

    [Fact]
    public void TcpSequenceNumbersTurnRelativeAfterTheSynAck()
    {
        var printer = Printer("-n");
        var client = IpAddr.Parse("10.0.0.1");
        var server = IpAddr.Parse("10.0.0.2");
        var syn = FrameBuilder.Ethernet(A, B).Ipv4(client, server).Tcp(1000, 2000, TcpFlags.Syn, seq: 4000000000).Build();
        var synAck = FrameBuilder.Ethernet(B, A).Ipv4(server, client).Tcp(2000, 1000, TcpFlags.Syn | TcpFlags.Ack, seq: 7, ack: 4000000001).Build();
        var data = FrameBuilder.Ethernet(A, B).Ipv4(client, server).Tcp(1000, 2000, TcpFlags.Psh | TcpFlags.Ack, seq: 4000000001, ack: 8, payload: new byte[10]).Build();

        Assert.Contains("Flags [S], seq 4000000000, win 65535, length 0", printer.Print(Noon, syn, syn.Length));
        Assert.Contains("Flags [S.], seq 7, ack 4000000001, win 65535, length 0", printer.Print(Noon, synAck, synAck.Length));
        Assert.Contains("Flags [P.], seq 1:11, ack 1, win 65535, length 10", printer.Print(Noon, data, data.Length));
    }

    [Fact]
    public void WithoutDashNPortsTakeTheirServiceNames()
    {
        var services = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(services, ["http 80/tcp www # web", "domain 53/udp"]);
            var names = ServiceNames.Load(services, "/nonexistent");
            var frame = FrameBuilder.Ethernet(A, B).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).Tcp(40000, 80, TcpFlags.Syn).Build();

            var plain = new TcpdumpPrinter(TcpdumpOptions.Parse([]), names, TimeZoneInfo.Utc).Print(Noon, frame, frame.Length);
            var numeric = new TcpdumpPrinter(TcpdumpOptions.Parse(["-n"]), names, TimeZoneInfo.Utc).Print(Noon, frame, frame.Length);

            Assert.Contains("10.0.0.1.40000 > 10.0.0.2.http: ", plain);
            Assert.Contains("10.0.0.1.40000 > 10.0.0.2.80: ", numeric);
        }
        finally
        {
            File.Delete(services);
        }
    }

    [Fact]
    public void ACutFrameEndsWithTheTruncationMark()
    {
        var frame = FrameBuilder.Ethernet(A, B).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).Tcp(1, 2, TcpFlags.Syn).Build();

        Assert.Equal("22:13:20.123456 IP 10.0.0.1.1 > 10.0.0.2.2:  [|tcp]\n", Printer("-n").Print(Noon, frame.AsSpan(0, 40), frame.Length));
    }

    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("fe80::", "fe80::")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    public void Ipv6TextAsTcpdumpWritesIt(string address, string expected)
    {
        var bytes = new byte[16];
        IpAddr.Parse(address).WriteV6(bytes);
        var text = new System.Text.StringBuilder();

        TcpdumpText.AppendIPv6(text, bytes);

        Assert.Equal(expected, text.ToString());
    }

    [Fact]
    public void OracleComparisonCutsApplicationDecodingOnly()
    {
        const string Tcp = "00:00:00.000000 IP 1.1.1.1.1 > 2.2.2.2.80: Flags [P.], seq 1:5, ack 1, win 9, length 4";
        const string Udp = "00:00:00.000000 IP 1.1.1.1.1 > 2.2.2.2.53: ";

        Assert.Null(TcpdumpOracle.Compare(Tcp + ": HTTP: GET / HTTP/1.1\n\tHost: x\n", Tcp + "\n"));
        Assert.Null(TcpdumpOracle.Compare(Udp + "4+ A? x. (20)\n", Udp + "UDP, length 20\n"));
        Assert.NotNull(TcpdumpOracle.Compare(Tcp + "\n", Tcp.Replace("win 9", "win 8") + "\n"));
        Assert.NotNull(TcpdumpOracle.Compare(Udp + "UDP, length 20\n", Udp + "UDP, length 21\n"));
        Assert.NotNull(TcpdumpOracle.Compare(Tcp + "\n", Tcp + "\n" + Tcp + "\n"));
    }
}
