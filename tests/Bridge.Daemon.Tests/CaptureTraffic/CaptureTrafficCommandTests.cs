using System.Diagnostics;
using System.Text;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.CaptureTraffic;
using Bridge.Daemon.Runtime;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;

namespace Bridge.Daemon.Tests.CaptureTraffic;

/// <summary>
/// capture-traffic through the daemon's grammar and dispatcher: FTD's dialog, then tcpdump's lines
/// for what the workers hand to the rules engine (real data paths fed from pcap files, a pass-all
/// inspector standing in for the engine).
/// </summary>
public sealed class CaptureTrafficCommandTests : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-capture-traffic-").FullName;
    private readonly PcapRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);
    private readonly StringBuilder _streamed = new();
    private readonly List<string> _prompts = new();

    private sealed class PassInspector : IExternalInspector
    {
        public string Application => "test";

        public InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow) => InspectorVerdict.Pass;
    }

    /// <summary>Fast-forwards every flow at its first packet, as a Trust verdict does.</summary>
    private sealed class FastForwardInspector : IExternalInspector
    {
        public string Application => "test";

        public InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow) => InspectorVerdict.AllowFlow;
    }

    public CaptureTrafficCommandTests()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        _runtime = new PcapRuntime(conf);
        foreach (var worker in _runtime.Workers) worker.Inspector = new PassInspector();
        var state = new ControlPlaneState { Paths = new HostPaths(_dir, Path.Combine(_dir, "captures")) };
        _dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), _runtime, state);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The seed ping: 4 echo requests from A tagged 1577 on port 0, 4 untagged replies from B on port 1.</summary>
    private string PingPcap()
    {
        string ping = Path.Combine(_dir, "ping.pcap");
        using var w = PcapWriter.Create(ping);
        for (ushort seq = 1; seq <= 4; seq++)
        {
            long t = T0 + seq * 1_000_000_000L;
            w.Write(t, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
            w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).IcmpEcho(false, 5, seq, 32).Build());
        }
        return ping;
    }

    private static void Feed(PcapRuntime runtime, string pcap) => runtime.Feed(pcap, 0, r => r.Data.Span[12] == 0x81 ? 0 : 1);

    /// <summary>Starts <paramref name="line"/> answering the prompts in order, feeds the ping once the session listens, and waits for the result.</summary>
    private async Task<CommandResult> RunWhileFeeding(string line, string[]? answers, string? feed, CancellationToken cancel = default, bool cancelAfterFeed = false)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        int next = 0;
        Func<string, bool, Task<string>>? ask = answers is null ? null : (prompt, _) =>
        {
            _prompts.Add(prompt);
            return Task.FromResult(next < answers.Length ? answers[next++] : "");
        };
        var run = _dispatcher.ExecuteAsync(line, _admin, json: false, stream: chunk =>
        {
            lock (_streamed) _streamed.Append(chunk);
            return Task.CompletedTask;
        }, ask, cts.Token);
        var waited = Stopwatch.StartNew();
        while (!run.IsCompleted && SnortTapHub.Count(_runtime) == 0 && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);
        if (!run.IsCompleted && feed is not null)
        {
            Assert.NotNull(_runtime.Workers[0].SnortTap);
            Feed(_runtime, feed);
            if (cancelAfterFeed)
            {
                await Task.Delay(400);
                await cts.CancelAsync();
            }
        }
        return await run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static string[] RealTcpdump(params string[] args)
    {
        var start = new ProcessStartInfo("tcpdump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private string[] StreamedPacketLines()
    {
        lock (_streamed)
        {
            return _streamed.ToString().Split('\n').Where(l => l.Length > 0 && char.IsDigit(l[0])).ToArray();
        }
    }

    [Fact]
    public async Task Asks_domain_and_options_then_streams_tcpdump_lines_until_the_count()
    {
        string ping = PingPcap();

        // As with tcpdump, a tagged frame matches only behind "vlan".
        var result = await RunWhileFeeding("capture-traffic", ["1", "-n -c 6 icmp or (vlan and icmp)"], ping);

        Assert.Equal(0, result.Status);
        Assert.Equal([CaptureTrafficCommand.DomainPrompt, CaptureTrafficCommand.OptionsPrompt], _prompts);
        Assert.StartsWith("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on Router, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n", _streamed.ToString());
        // Exactly what tcpdump prints for the same frames (the INSIDE ones carry their 802.1Q tag).
        Assert.Equal(RealTcpdump("-n", "-c", "6", "-r", ping, "icmp or (vlan and icmp)"), StreamedPacketLines());
        Assert.Contains("IP 192.168.103.1 > 192.168.101.1: ICMP echo request, id 5, seq 1, length 40", StreamedPacketLines()[0]);
        Assert.StartsWith("\n6 packets captured\n", result.Text);
        Assert.Null(_runtime.Workers[0].SnortTap);
        Assert.Equal(0, SnortTapHub.Count(_runtime));
    }

    [Fact]
    public async Task Flags_and_filter_shape_the_lines_as_tcpdump_does()
    {
        string ping = PingPcap();

        var result = await RunWhileFeeding("system support capture-traffic", ["", "-nn -e -v -c 4 'icmp[icmptype] == icmp-echoreply'"], ping);

        Assert.Equal(0, result.Status);
        string real = string.Join('\n', RealTcpdump("-nn", "-e", "-v", "-c", "4", "-r", ping, "icmp[icmptype] == icmp-echoreply")) + "\n";
        string streamed = _streamed.ToString();
        Assert.EndsWith(real, streamed);
        Assert.StartsWith("tcpdump: listening on Router", streamed);
        Assert.DoesNotContain("echo request", streamed);
    }

    [Fact]
    public async Task Ctrl_c_ends_the_capture_with_tcpdumps_statistics()
    {
        string ping = PingPcap();

        var result = await RunWhileFeeding("capture-traffic", ["1", "-q host 192.168.101.1 or (vlan and host 192.168.101.1)"], ping, cancelAfterFeed: true);

        Assert.Equal(0, result.Status);
        Assert.Equal(8, StreamedPacketLines().Length);
        Assert.Equal("\n8 packets captured\n8 packets received by filter\n0 packets dropped by kernel\n", result.Text);
        Assert.Null(_runtime.Workers[0].SnortTap);
    }

    [Fact]
    public async Task Without_vlan_the_filter_skips_tagged_frames_as_tcpdump_does()
    {
        var result = await RunWhileFeeding("capture-traffic", ["1", "-n icmp"], PingPcap(), cancelAfterFeed: true);

        Assert.Equal(0, result.Status);
        Assert.Equal(4, StreamedPacketLines().Length);
        Assert.All(StreamedPacketLines(), l => Assert.Contains("echo reply", l));
    }

    [Fact]
    public async Task Only_what_the_engine_is_handed_is_seen_not_fast_forwarded_packets()
    {
        foreach (var worker in _runtime.Workers) worker.Inspector = new FastForwardInspector();

        var result = await RunWhileFeeding("capture-traffic", ["1", "-n"], PingPcap(), cancelAfterFeed: true);

        Assert.Equal(0, result.Status);
        var line = Assert.Single(StreamedPacketLines());
        Assert.Contains("ICMP echo request, id 5, seq 1, length 40", line);
    }

    [Fact]
    public async Task A_client_that_cannot_answer_gets_the_defaults_every_frame()
    {
        string ping = PingPcap();

        var result = await RunWhileFeeding("capture-traffic", answers: null, ping, cancelAfterFeed: true);

        Assert.Equal(0, result.Status);
        Assert.Equal(8, StreamedPacketLines().Length);
    }

    [Fact]
    public async Task Dash_w_writes_a_pcap_tcpdump_reads_into_the_capture_directory()
    {
        string ping = PingPcap();

        var result = await RunWhileFeeding("capture-traffic", ["1", "-c 8 -w seed.pcap"], ping);

        Assert.Equal(0, result.Status);
        string written = Path.Combine(_dir, "captures", "seed.pcap");
        Assert.Contains("Wrote 8 packets to " + written, result.Text);
        Assert.Empty(StreamedPacketLines());
        Assert.Equal(RealTcpdump("-n", "-r", ping), RealTcpdump("-n", "-r", written));
    }

    [Fact]
    public async Task Dash_s_cuts_frames_and_prints_them_as_tcpdump_prints_cut_frames()
    {
        string ping = PingPcap();
        var text = await RunWhileFeeding("capture-traffic", ["1", "-nn -v -x -s 40 -c 8"], ping);
        string printed;
        lock (_streamed) printed = _streamed.ToString();
        _streamed.Clear();

        var written = await RunWhileFeeding("capture-traffic", ["1", "-s 40 -c 8 -w cut.pcap"], ping);

        Assert.Equal(0, text.Status);
        Assert.Equal(0, written.Status);
        Assert.Contains(" [|icmp]", printed);
        string real = string.Join('\n', RealTcpdump("-nn", "-v", "-x", "-r", Path.Combine(_dir, "captures", "cut.pcap"))) + "\n";
        Assert.EndsWith(real, printed);
    }

    [Fact]
    public async Task Question_mark_lists_the_options_and_asks_again()
    {
        var result = await RunWhileFeeding("capture-traffic", ["1", "?", "-c 1 -q"], PingPcap());

        Assert.Equal(0, result.Status);
        Assert.Equal(3, _prompts.Count);
        Assert.Contains("Supported options:", _streamed.ToString());
    }

    [Theory]
    [InlineData("tcp and and", "tcpdump: can't parse filter expression: syntax error\n")]
    [InlineData("host 1.2.3.400", "tcpdump: invalid IPv4 address '1.2.3.400'\n")]
    [InlineData("-c 0", "tcpdump: invalid packet count 0\n")]
    [InlineData("-r x.pcap", "tcpdump: -r is not available here: capture-traffic reads the live data plane\n")]
    [InlineData("-w ../x.pcap", "tcpdump: -w takes a file name, written into the capture directory (")]
    public async Task Bad_options_fail_with_tcpdumps_words(string options, string expected)
    {
        var result = await RunWhileFeeding("capture-traffic", ["1", options], feed: null);

        Assert.Equal(1, result.Status);
        Assert.StartsWith(expected, result.Text);
        Assert.Equal(0, SnortTapHub.Count(_runtime));
    }

    [Fact]
    public async Task An_unknown_domain_is_asked_again_then_refused()
    {
        var result = await RunWhileFeeding("capture-traffic", ["0", "7", "br1"], feed: null);

        Assert.Equal(1, result.Status);
        Assert.Equal("ERROR: no such domain\n", result.Text);
        Assert.Equal(3, _prompts.Count);
    }
}
