namespace Bridge.Capture.Tests.Tcpdump;

/// <summary>
/// <c>bridged tcpdump -r FILE FLAGS</c> prints what <c>tcpdump -r FILE FLAGS</c> prints (stdout and
/// stderr), up to the application layer (see <see cref="TcpdumpOracle.Compare"/>).
/// </summary>
public sealed class TcpdumpOutputOracleTests
{
    [Theory]
    [InlineData(OraclePcaps.Built, "-n")]
    [InlineData(OraclePcaps.Built, "-nn")]
    [InlineData(OraclePcaps.Built, "")]
    [InlineData(OraclePcaps.Built, "-nn -e")]
    [InlineData(OraclePcaps.Built, "-e")]
    [InlineData(OraclePcaps.Built, "-nn -v")]
    [InlineData(OraclePcaps.Built, "-nn -vv")]
    [InlineData(OraclePcaps.Built, "-nn -vvv")]
    [InlineData(OraclePcaps.Built, "-nn -q")]
    [InlineData(OraclePcaps.Built, "-nn -e -q")]
    [InlineData(OraclePcaps.Built, "-nn -e -v")]
    [InlineData(OraclePcaps.Built, "-nn -e -vv")]
    [InlineData(OraclePcaps.Built, "-nn -x")]
    [InlineData(OraclePcaps.Built, "-nn -xx")]
    [InlineData(OraclePcaps.Built, "-nn -X")]
    [InlineData(OraclePcaps.Built, "-nn -XX")]
    [InlineData(OraclePcaps.Built, "-nn -v -X")]
    [InlineData(OraclePcaps.Built, "-nne -vv -XX")]
    [InlineData(OraclePcaps.Built, "-nn -q -x")]
    [InlineData(OraclePcaps.Built, "-nn -c 5")]
    [InlineData(OraclePcaps.Built, "-c1 -nn -e")]
    [InlineData(OraclePcaps.Built, "-nn -s 96")]
    [InlineData(OraclePcaps.BuiltCut + "20", "-nn -x")]
    [InlineData(OraclePcaps.BuiltCut + "20", "-nn -e -vv")]
    [InlineData(OraclePcaps.BuiltCut + "38", "-nn -x")]
    [InlineData(OraclePcaps.BuiltCut + "42", "-nn -v -x")]
    [InlineData(OraclePcaps.BuiltCut + "50", "-nn -x")]
    [InlineData(OraclePcaps.BuiltCut + "54", "-nn -e")]
    [InlineData(OraclePcaps.BuiltCut + "58", "-nn -X")]
    [InlineData(OraclePcaps.BuiltCut + "62", "-nn -vv -x")]
    [InlineData(OraclePcaps.BuiltCut + "70", "-nn -x")]
    [InlineData(OraclePcaps.BuiltCut + "78", "-nn -e -v -x")]
    [InlineData(OraclePcaps.BuiltCut + "86", "-nn -q -XX")]
    [InlineData(OraclePcaps.BuiltCut + "96", "-nn -vv")]
    [InlineData("arppoison.pcapng", "-nn")]
    [InlineData("arppoison.pcapng", "-n -e")]
    [InlineData("arppoison.pcapng", "-nn -v")]
    [InlineData("arppoison.pcapng", "-nn -vv")]
    [InlineData("arppoison.pcapng", "-nn -q")]
    [InlineData("arppoison.pcapng", "-nn -X")]
    [InlineData("arppoison.pcapng", "-e")]
    [InlineData("dns_isp_hijack.pcapng", "-nn -e")]
    [InlineData("dns_isp_hijack.pcapng", "-nn -vv")]
    [InlineData("dns_isp_hijack.pcapng", "-nn -x")]
    [InlineData("http_espn.pcapng", "-nn")]
    [InlineData("http_espn.pcapng", "-nn -v")]
    [InlineData("http_espn.pcapng", "-nn -e -q")]
    [InlineData("http_post.pcapng", "-nn -vv")]
    [InlineData("http_post.pcapng", "-nn -X")]
    [InlineData("http_post.pcapng", "")]
    [InlineData("ip_frag_source.pcapng", "-nn")]
    [InlineData("ip_frag_source.pcapng", "-nn -vv")]
    [InlineData("ip_frag_source.pcapng", "-nn -e -x")]
    [InlineData("ip_frag_source.pcapng", "")]
    [InlineData("ipv6_fragments.pcapng", "-nn")]
    [InlineData("ipv6_fragments.pcapng", "-nn -v")]
    [InlineData("ipv6_fragments.pcapng", "-nn -vv -e")]
    [InlineData("ipv6_fragments.pcapng", "-nn -q")]
    [InlineData("synscan.pcapng", "-nn")]
    [InlineData("synscan.pcapng", "-nn -vv")]
    [InlineData("synscan.pcapng", "-nn -e -q")]
    [InlineData("synscan.pcapng", "-nn -c 100 -x")]
    [InlineData("tcp_ports.pcapng", "-nn")]
    [InlineData("tcp_ports.pcapng", "-nn -v")]
    [InlineData("tcp_ports.pcapng", "-n -e")]
    public void PrintsWhatTcpdumpPrints(string pcap, string flags)
    {
        var args = new List<string> { "-r", OraclePcaps.PathOf(pcap) };
        args.AddRange(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var real = TcpdumpOracle.Real(args);
        var ours = TcpdumpOracle.Bridge(args);

        Assert.Equal(0, real.ExitCode);
        Assert.Equal(real.ExitCode, ours.ExitCode);
        Assert.Equal(real.Stderr, ours.Stderr);
        Assert.True(real.Stdout.Length > 0, "tcpdump printed nothing");
        Assert.Null(TcpdumpOracle.Compare(real.Stdout, ours.Stdout));
    }
}
