using Bridge.Daemon.Tcpdump;
using Bridge.Packets;
using Bridge.Packets.Pcap;

namespace Bridge.Daemon.Tests.CaptureTraffic;

/// <summary><c>bridged tcpdump</c>: the subcommand's streams and exit codes (its text is oracle-tested in Bridge.Capture.Tests).</summary>
public sealed class TcpdumpCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-tcpdump-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string OnePing()
    {
        string path = Path.Combine(_dir, "one.pcap");
        using var w = PcapWriter.Create(path);
        w.Write(1_700_000_000L * 1_000_000_000, FrameBuilder.Ethernet(default, default).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).IcmpEcho(true, 3, 4).Build());
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = TcpdumpCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Packets_go_to_stdout_and_the_file_line_to_stderr()
    {
        string pcap = OnePing();

        var (code, stdout, stderr) = Run("-n", "-r", pcap, "icmp");

        Assert.Equal(0, code);
        Assert.Equal($"reading from file {pcap}, link-type EN10MB (Ethernet), snapshot length 262144\n", stderr);
        Assert.EndsWith(" IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 3, seq 4, length 40\n", stdout);
    }

    [Fact]
    public void Dash_w_copies_the_matching_packets()
    {
        string pcap = OnePing();
        string copy = Path.Combine(_dir, "copy.pcap");

        Assert.Equal(0, Run("-r", pcap, "-w", copy, "udp").Code);
        Assert.Empty(PcapReader.ReadAll(copy));
        Assert.Equal(0, Run("-r", pcap, "-w", copy, "icmp").Code);
        Assert.Single(PcapReader.ReadAll(copy));
    }

    [Fact]
    public void Errors_are_tcpdumps_and_exit_1()
    {
        Assert.Equal((1, "", "tcpdump: nosuch.pcap: No such file or directory\n"), Run("-r", "nosuch.pcap"));
        Assert.Equal(1, Run("-n").Code);
        Assert.Equal(0, Run("--help").Code);
    }
}
