using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Metrics;
using Bridge.Daemon.Tests.Admin;
using Bridge.Daemon.Tests.Support;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Rules;

namespace Bridge.Daemon.Tests.Metrics;

/// <summary>
/// Scrapes of <see cref="BridgeMetrics"/> over a real runtime fed from pcap files, compared with
/// what the show commands print at the same moment, and linted by promtool.
/// </summary>
public sealed class MetricsScrapeTests : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-metrics-").FullName;
    private readonly PcapRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);

    public MetricsScrapeTests()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        _runtime = new PcapRuntime(conf);
        _dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), _runtime, new ControlPlaneState());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> Ok(string line)
    {
        var r = await _dispatcher.ExecuteAsync(line, _admin, json: false, stream: null, CancellationToken.None);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r.Text;
    }

    /// <summary>Four echo requests from A (tagged 1577, port 0) and their untagged replies from B (port 1), plus one denied datagram.</summary>
    private void Traffic(int worker, ushort firstSeq)
    {
        string file = Path.Combine(_dir, $"traffic-{worker}-{firstSeq}.pcap");
        using (var w = PcapWriter.Create(file))
        {
            for (ushort seq = firstSeq; seq < firstSeq + 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                w.Write(t, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128).IcmpEcho(true, (ushort)(5 + worker), seq, 32).Build());
                w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).IcmpEcho(false, (ushort)(5 + worker), seq, 32).Build());
            }
            // 10.9.9.9 is outside both permit lines: acl-drop.
            w.Write(T0 + 9_000_000_000L, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(IpAddr.Parse("10.9.9.9"), AdminFixture.IpB).Udp(5000, 53, new byte[20]).Build());
        }
        _runtime.Feed(file, worker, r => r.Data.Span[12] == 0x81 ? 0 : 1);
    }

    private static double Sample(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
        }
        throw new Xunit.Sdk.XunitException($"no sample {series} in the scrape");
    }

    private static bool HasSeries(string text, string prefix) =>
        text.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal));

    private static long ShownNumber(string text, string pattern) =>
        long.Parse(Regex.Match(text, pattern, RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Capture_series_follow_show_capture_and_leave_with_the_capture()
    {
        var metrics = new BridgeMetrics(_runtime);
        await Ok("capture CAPI interface INSIDE match icmp any any");
        await Ok("capture CAPO interface OUTSIDE buffer 1534 match ip any any");
        Traffic(worker: 0, firstSeq: 0);
        Traffic(worker: 1, firstSeq: 10);
        Traffic(worker: 0, firstSeq: 30);

        string scrape = await metrics.ScrapeAsync();
        string list = await Ok("show capture");
        // "capture CAPI type raw-data interface INSIDE [Capturing - 1096 bytes]"
        long capiBytes = ShownNumber(list, @"^capture CAPI .*\[Capturing - (\d+) bytes\]");
        Assert.Equal(capiBytes, Sample(scrape, "bridge_capture_bytes{capture=\"CAPI\"}"));
        long capiPackets = ShownNumber(await Ok("show capture CAPI"), @"^(\d+) packets? captured");
        Assert.Equal(24, capiPackets);
        Assert.Equal(capiPackets, Sample(scrape, "bridge_capture_packets{capture=\"CAPI\"}"));
        Assert.Equal(capiPackets, Sample(scrape, "bridge_capture_packets_captured_total{capture=\"CAPI\"}"));
        Assert.Equal(1, Sample(scrape, "bridge_capture_state{capture=\"CAPI\",state=\"capturing\"}"));
        Assert.Equal(0, Sample(scrape, "bridge_capture_state{capture=\"CAPI\",state=\"buffer-full\"}"));
        // 24 frames of 74 bytes do not fit in 1534 bytes: FTD's "Buffer Full".
        Assert.Contains("[Buffer Full - ", list);
        Assert.Equal(1, Sample(scrape, "bridge_capture_state{capture=\"CAPO\",state=\"buffer-full\"}"));

        // clear capture empties the rings; the monotonic count keeps what was captured.
        await Ok("clear capture CAPI");
        await Ok("capture CAPI stop");
        scrape = await metrics.ScrapeAsync();
        Assert.Equal(0, Sample(scrape, "bridge_capture_packets{capture=\"CAPI\"}"));
        Assert.Equal(24, Sample(scrape, "bridge_capture_packets_captured_total{capture=\"CAPI\"}"));
        Assert.Equal(1, Sample(scrape, "bridge_capture_state{capture=\"CAPI\",state=\"stopped\"}"));

        await Ok("no capture CAPO");
        scrape = await metrics.ScrapeAsync();
        Assert.False(HasSeries(scrape, "bridge_capture_packets{capture=\"CAPO\""), "a removed capture keeps its series");
        Assert.False(HasSeries(scrape, "bridge_capture_state{capture=\"CAPO\""), "a removed capture keeps its series");
        Assert.True(HasSeries(scrape, "bridge_capture_packets{capture=\"CAPI\""));
    }

    [Fact]
    public async Task Show_interface_conn_count_and_snort_statistics_agree_with_a_scrape()
    {
        // A rules engine on each worker so that EXTERNAL-INSPECT hands frames over and the SNORT counters move.
        var rules = RuleSet.FromText("alert icmp any any -> any any (msg:\"echo\"; itype:8; sid:1000001; rev:1;)\n");
        foreach (var dp in _runtime.Workers) dp.Inspector = rules.CreateInspector(1024);
        var metrics = new BridgeMetrics(_runtime);
        Traffic(worker: 0, firstSeq: 0);
        Traffic(worker: 1, firstSeq: 20);

        string scrape = await metrics.ScrapeAsync();
        string iface = await Ok("show interface");
        string count = await Ok("show conn count");
        string snort = await Ok("show snort statistics");

        foreach (var nameIf in new[] { "INSIDE", "OUTSIDE" })
        {
            // show interface: 'Interface veth-in.1577 "INSIDE", is up' ... '8 packets input, 784 bytes'
            var block = Regex.Match(iface, $"\"{nameIf}\"[\\s\\S]*?(?=\\nInterface |$)").Value;
            long packetsIn = ShownNumber(block, @"(\d+) packets input");
            long bytesIn = ShownNumber(block, @"\d+ packets input, (\d+) bytes");
            long packetsOut = ShownNumber(block, @"(\d+) packets output");
            long bytesOut = ShownNumber(block, @"\d+ packets output, (\d+) bytes");
            Assert.True(packetsIn > 0, block);
            Assert.Equal(packetsIn, Sample(scrape, $"bridge_interface_packets_total{{interface=\"{nameIf}\",direction=\"in\"}}"));
            Assert.Equal(bytesIn, Sample(scrape, $"bridge_interface_bytes_total{{interface=\"{nameIf}\",direction=\"in\"}}"));
            Assert.Equal(packetsOut, Sample(scrape, $"bridge_interface_packets_total{{interface=\"{nameIf}\",direction=\"out\"}}"));
            Assert.Equal(bytesOut, Sample(scrape, $"bridge_interface_bytes_total{{interface=\"{nameIf}\",direction=\"out\"}}"));
        }

        long inUse = ShownNumber(count, @"^(\d+) in use");
        Assert.Equal(2, inUse);
        double active = 0;
        foreach (var p in new[] { "tcp", "udp", "icmp", "other" })
            active += Sample(scrape, $"bridge_connections_active{{protocol=\"{p}\"}}");
        Assert.Equal(inUse, active);
        Assert.Equal(inUse, Sample(scrape, "bridge_flow_table_slots{state=\"used\"}"));

        long passed = ShownNumber(snort, @"Passed Packets\s+(\d+)");
        long blocked = ShownNumber(snort, @"Blocked Packets\s+(\d+)");
        Assert.True(passed > 0, snort);
        double inspected = Sample(scrape, "bridge_stage_events_total{stage=\"EXTERNAL-INSPECT\",counter=\"inspected\"}");
        Assert.Equal(blocked, Sample(scrape, "bridge_stage_events_total{stage=\"SNORT\",counter=\"blocked\"}"));
        Assert.Equal(passed, inspected - blocked);
    }

    [Fact]
    public void Batch_histograms_are_cumulative_with_sum_and_count()
    {
        var h = new BatchHistogram();
        h.Record(1, Stopwatch.Frequency / 1_000_000);        // 1 frame, 1 µs
        h.Record(3, Stopwatch.Frequency / 10_000);           // 3 frames, 100 µs
        h.Record(64, Stopwatch.Frequency / 100);             // 64 frames, 10 ms
        h.Record(5000, Stopwatch.Frequency);                 // beyond the last bounds
        var text = new System.Text.StringBuilder();
        BatchHistogram.WriteText(text, [h, new BatchHistogram()]);
        string s = text.ToString();

        Assert.Equal(1, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"1\"}"));
        Assert.Equal(1, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"2\"}"));
        Assert.Equal(2, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"4\"}"));
        Assert.Equal(2, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"32\"}"));
        Assert.Equal(3, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"64\"}"));
        Assert.Equal(3, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"2048\"}"));
        Assert.Equal(4, Sample(s, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"+Inf\"}"));
        Assert.Equal(5068, Sample(s, "bridge_worker_batch_frames_sum{worker=\"0\"}"));
        Assert.Equal(4, Sample(s, "bridge_worker_batch_frames_count{worker=\"0\"}"));

        Assert.Equal(1, Sample(s, "bridge_worker_batch_duration_seconds_bucket{worker=\"0\",le=\"1E-06\"}"));
        Assert.Equal(2, Sample(s, "bridge_worker_batch_duration_seconds_bucket{worker=\"0\",le=\"0.0001\"}"));
        Assert.Equal(3, Sample(s, "bridge_worker_batch_duration_seconds_bucket{worker=\"0\",le=\"0.01\"}"));
        Assert.Equal(3, Sample(s, "bridge_worker_batch_duration_seconds_bucket{worker=\"0\",le=\"0.1\"}"));
        Assert.Equal(4, Sample(s, "bridge_worker_batch_duration_seconds_count{worker=\"0\"}"));
        Assert.Equal(1.010101, Sample(s, "bridge_worker_batch_duration_seconds_sum{worker=\"0\"}"), 4);
        Assert.Equal(0, Sample(s, "bridge_worker_batch_frames_count{worker=\"1\"}"));
    }

    [Fact]
    public async Task A_whole_scrape_with_captures_and_histograms_passes_promtool()
    {
        var batches = new[] { new BatchHistogram(), new BatchHistogram() };
        batches[0].Record(7, 1234);
        batches[1].Record(300, 98765);
        var metrics = new BridgeMetrics(_runtime, batches: batches);
        await Ok("capture CAPI interface INSIDE match icmp any any");
        Traffic(worker: 0, firstSeq: 0);
        string file = Path.Combine(_dir, "scrape.txt");
        await File.WriteAllTextAsync(file, await metrics.ScrapeAsync());

        var lint = HostCommand.Run("sh", ["-c", $"promtool check metrics < {file}"], TimeSpan.FromSeconds(30));
        Assert.True(lint.ExitCode == 0, lint.ToString());
        string text = await File.ReadAllTextAsync(file);
        Assert.Contains("# TYPE bridge_worker_batch_frames histogram", text);
        Assert.Contains("# TYPE bridge_capture_packets gauge", text);
        Assert.Contains("# TYPE bridge_capture_packets_captured_total counter", text);
    }

    [Fact]
    public async Task Gc_pauses_are_counted_since_the_process_started()
    {
        var metrics = new BridgeMetrics(_runtime);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        double before = GC.GetTotalPauseDuration().TotalSeconds;
        double scraped = Sample(await metrics.ScrapeAsync(), "bridge_gc_pause_seconds_total");
        double after = GC.GetTotalPauseDuration().TotalSeconds;
        Assert.True(before > 0, "a blocking gen-2 collection took no time");
        Assert.InRange(scraped, before, after);
    }
}
