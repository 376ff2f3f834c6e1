using System.Diagnostics;
using System.Globalization;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Rules;
using Bridge.Rules.Alerts;
using Bridge.Rules.Inspection;

namespace Bridge.Daemon.Snort;

/// <summary>
/// <c>bridged snort -r FILE.pcap -R RULES… [-A fast|json] [-c bridge.conf] [--rejections]</c>: runs
/// the rules engine over a capture with flow tracking (the pipeline's flow table and keys), prints
/// alerts on stdout, and a summary on stderr whose first line is <c>rules: N loaded, M rejected</c>.
/// </summary>
public static class SnortCommand
{
    private const int FlowCapacity = 1 << 16;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var pcaps = new List<string>();
        var rulePaths = new List<string>();
        string format = "fast";
        string? config = null;
        bool listRejections = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "-r": pcaps.Add(Next()); break;
                    case "-R": rulePaths.Add(Next()); break;
                    case "-A": format = Next(); break;
                    case "-c": config = Next(); break;
                    case "--rejections": listRejections = true; break;
                    default:
                        stderr.WriteLine($"snort: unknown option '{args[i]}'");
                        return 2;
                }
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"snort: {e.Message}");
                return 2;
            }
        }
        if (pcaps.Count == 0 || rulePaths.Count == 0 || format is not ("fast" or "json"))
        {
            stderr.WriteLine("snort: usage: bridged snort -r FILE.pcap -R RULES... [-A fast|json] [-c bridge.conf] [--rejections]");
            return 2;
        }
        if (config is not null)
        {
            try
            {
                // The configuration is validated so a typo is not silently ignored; it holds no rule settings yet.
                BridgeConfig.Load(config);
            }
            catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"snort: {e.Message}");
                return 1;
            }
        }

        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var loadClock = Stopwatch.StartNew();
        var rules = RuleSet.Load(rulePaths);
        var loadTime = loadClock.Elapsed;
        long retained = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        var sink = new TextAlertSink(stdout, format == "json");
        var inspector = rules.CreateInspector(FlowCapacity, sink);
        var flows = new OfflineFlows(FlowCapacity);
        long frames = 0, bytes = 0, blocked = 0;
        var runClock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        try
        {
            foreach (string pcap in pcaps)
            {
                using var reader = PcapReader.Open(pcap);
                while (reader.TryReadNext(out var rec))
                {
                    if (rec.LinkType != 1) continue;
                    frames++;
                    bytes += rec.Data.Length;
                    if (flows.Inspect(rec.Data.Span, rec.TimestampNanoseconds, inspector) != InspectorVerdict.Pass) blocked++;
                }
            }
        }
        catch (Exception e) when (e is IOException or PcapFormatException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"snort: {e.Message}");
            return 1;
        }
        var runTime = runClock.Elapsed;
        // CPU time, not wall time: on a busy machine this is what "per core" means.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        stdout.Flush();

        stderr.Write(rules.Report.Summary());
        if (listRejections)
        {
            foreach (var r in rules.Report.Rejections) stderr.WriteLine($"  rejected {r}");
        }
        foreach (string note in rules.Report.Notes.Take(20)) stderr.WriteLine($"  note: {note}");
        var (states, matcherBytes, patterns) = rules.MatcherSize;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load: {loadTime.TotalMilliseconds:F0} ms, {retained / (1024 * 1024)} MiB retained, {patterns} fast patterns, {states} fast-pattern index entries, {matcherBytes / 1024} KiB"));
        double seconds = Math.Max(cpu.TotalSeconds, 1e-9);
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"packets: {frames}, bytes: {bytes}, alerts: {inspector.Alerts}, blocked: {blocked}, tagged: {inspector.TaggedPackets}, {runTime.TotalMilliseconds:F1} ms, {cpu.TotalMilliseconds:F1} ms CPU ({bytes * 8 / seconds / 1e9:F2} Gbit/s per core, JIT warm-up included)"));
        var hits = inspector.Hits.ToArray();
        var top = Enumerable.Range(0, hits.Length).Where(i => hits[i] > 0).OrderByDescending(i => hits[i]).Take(10).ToList();
        foreach (int i in top)
        {
            var r = rules.Rules[i];
            stderr.WriteLine($"  hits {hits[i],8}  [{r.Gid}:{r.Sid}:{r.Rev}] {r.Message}");
        }
        return 0;
    }
}
