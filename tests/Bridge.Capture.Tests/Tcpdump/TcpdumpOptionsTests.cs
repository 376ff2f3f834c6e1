using Bridge.Capture.Tcpdump;

namespace Bridge.Capture.Tests.Tcpdump;

public sealed class TcpdumpOptionsTests
{
    [Fact]
    public void ClustersArgumentsAndTheExpression()
    {
        var options = TcpdumpOptions.Parse(["-nnvvX", "-c5", "-s", "128", "host", "10.0.0.1", "-e", "and", "icmp"]);

        Assert.Equal(2, options.NoResolve);
        Assert.Equal(2, options.Verbose);
        Assert.Equal(1, options.HexAscii);
        Assert.Equal(5, options.Count);
        Assert.Equal(128, options.SnapLength);
        Assert.True(options.LinkHeader);
        Assert.Equal("host 10.0.0.1 and icmp", options.Filter);
    }

    [Fact]
    public void SnapLengthZeroMeansTheMaximum()
    {
        Assert.Equal(TcpdumpOptions.MaximumSnapLength, TcpdumpOptions.Parse(["-s0"]).SnapLength);
    }

    [Fact]
    public void QuotedWordsStayWhole()
    {
        Assert.Equal(["-n", "tcp[13] & 2 != 0", "-w", "a b.pcap"], TcpdumpOptions.SplitWords("-n 'tcp[13] & 2 != 0' -w \"a b.pcap\""));
    }

    /// <summary>tcpdump's own first line of complaint, checked against the real one.</summary>
    [Theory]
    [InlineData("-c 0")]
    [InlineData("-c abc")]
    [InlineData("-s abc")]
    [InlineData("-s 300000")]
    [InlineData("-c")]
    [InlineData("-g")]
    public void BadOptionsGetTcpdumpsText(string flags)
    {
        var args = new List<string> { "-r", OraclePcaps.PathOf(OraclePcaps.Built) };
        args.AddRange(flags.Split(' '));

        var real = TcpdumpOracle.Real(args);
        var ours = TcpdumpOracle.Bridge(args);

        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(real.Stderr.Split('\n')[0], ours.Stderr.TrimEnd('\n'));
    }
}
