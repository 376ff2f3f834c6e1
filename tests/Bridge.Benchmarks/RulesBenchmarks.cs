using BenchmarkDotNet.Attributes;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Rules;
using Bridge.Rules.Inspection;
using Bridge.Rules.Matching;

namespace Bridge.Benchmarks;

/// <summary>Where the shared rule sets and pcaps are (the worktree's sibling <c>shared</c> folder).</summary>
internal static class RulesData
{
    public static string Find(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine("/work/shared/data", relative);
    }
}

/// <summary>Loading and compiling each shipped rule set (parse, regex construction, automata).</summary>
// Loading builds the rule set: its allocation is the measurement (load memory), not a contract breach.
[MemoryDiagnoser]
[BenchmarkCategory("allocation-measured")]
[CategoriesColumn]
public class RulesLoadBenchmarks
{
    [Params("et-open-2017-snort29", "snort2-community", "snort3-community")]
    public string Set { get; set; } = "";

    [Benchmark]
    public int Load() => RuleSet.Load([Path.Combine(RulesData.Find("rules"), Set)]).Rules.Count;
}

/// <summary>
/// Matching throughput with ET Open loaded: every frame of one pcap through flow tracking and the
/// inspector. Gbit/s per core = 8 × <see cref="Bytes"/> / mean time. The per-packet contract (0 B)
/// is enforced by the engine's allocation test; a whole-pcap operation here has shown 0–88 B in
/// short runs (under 0.1 B per packet), reported by scripts/bench as watched until explained.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("allocation-watched")]
[CategoriesColumn]
public class RulesMatchBenchmarks
{
    private RuleSet _set = null!;
    private RuleInspector _inspector = null!;
    private OfflineFlows _flows = null!;
    private (byte[] Frame, long Ns)[] _frames = [];

    [Params("http_espn", "tcp_ports", "synscan", "dns_isp_hijack", "http_post")]
    public string Pcap { get; set; } = "";

    /// <summary>Bytes in the pcap (printed at setup, for Gbit/s).</summary>
    public long Bytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _set = RuleSet.Load([Path.Combine(RulesData.Find("rules"), "et-open-2017-snort29")]);
        _frames = [.. PcapReader.ReadAll(Path.Combine(RulesData.Find("pcaps"), Pcap + ".pcapng")).Select(r => (r.Data.ToArray(), r.TimestampNanoseconds))];
        Bytes = _frames.Sum(f => (long)f.Frame.Length);
        Console.WriteLine($"// {Pcap}: {_frames.Length} frames, {Bytes} bytes; ET Open {_set.Report.Loaded} rules");
        _inspector = _set.CreateInspector(1 << 16);
        _flows = new OfflineFlows(1 << 16);
    }

    [Benchmark]
    public int InspectPcap()
    {
        int blocked = 0;
        foreach (var (frame, ns) in _frames)
        {
            if (_flows.Inspect(frame, ns, _inspector) != Bridge.Pipeline.Core.InspectorVerdict.Pass) blocked++;
        }
        return blocked;
    }
}

/// <summary>
/// The fast-pattern stage alone: ET Open's TCP fast patterns (about 12 000) over the TCP payloads
/// of one pcap. ns per payload byte = mean time / <see cref="PayloadBytes"/>. Scan allocates
/// nothing (the engine's allocation test covers it); in-process short runs have shown ~10 B per
/// whole-pcap operation, like <see cref="RulesMatchBenchmarks"/>, so it is watched the same way.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("allocation-watched")]
[CategoriesColumn]
public class RulesScanBenchmarks
{
    private PatternMatcher _matcher = null!;
    private byte[][] _payloads = [];
    private byte[] _scratch = [];

    [Params("http_espn", "tcp_ports")]
    public string Pcap { get; set; } = "";

    public long PayloadBytes { get; private set; }

    private struct CountingSink : IPatternSink
    {
        public int Hits;

        public readonly bool Wants(int patternId) => true;

        public void Hit(int patternId) => Hits++;
    }

    [GlobalSetup]
    public void Setup()
    {
        var set = RuleSet.Load([Path.Combine(RulesData.Find("rules"), "et-open-2017-snort29")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var patterns = new List<byte[]>();
        foreach (var r in set.Rules)
        {
            if (r.FastPattern is not { } fp || r.Protocol is not (RuleProtocol.Tcp or RuleProtocol.Ip)) continue;
            var bytes = fp.FastPatternBytes;
            var key = bytes.AsSpan(0, Math.Min(bytes.Length, PatternMatcher.MaxIndexedLength)).ToArray();
            for (int i = 0; i < key.Length; i++) key[i] = PatternMatcher.Fold(key[i]);
            if (seen.Add(Convert.ToHexString(key))) patterns.Add(bytes);
        }
        _matcher = new PatternMatcher(patterns);
        var payloads = new List<byte[]>();
        foreach (var record in PcapReader.ReadAll(Path.Combine(RulesData.Find("pcaps"), Pcap + ".pcapng")))
        {
            var frame = record.Data.ToArray();
            var info = default(FrameInfo);
            info.Reset();
            if (FrameDecoder.Decode(frame, ref info) != DropReason.None || !info.IsTcp || info.PayloadOffset < 0 || info.PayloadLength <= 0) continue;
            payloads.Add(frame.AsSpan(info.PayloadOffset, Math.Min(info.PayloadLength, frame.Length - info.PayloadOffset)).ToArray());
        }
        _payloads = [.. payloads];
        PayloadBytes = payloads.Sum(p => (long)p.Length);
        _scratch = new byte[65536 + PatternMatcher.ScratchPadding];
        Console.WriteLine($"// {Pcap}: {_payloads.Length} TCP payloads, {PayloadBytes} bytes; {patterns.Count} patterns, {_matcher.StateCount} index entries");
    }

    [Benchmark]
    public int ScanPayloads()
    {
        var sink = new CountingSink();
        foreach (var p in _payloads) _matcher.Scan(p, _scratch, ref sink);
        return sink.Hits;
    }
}
