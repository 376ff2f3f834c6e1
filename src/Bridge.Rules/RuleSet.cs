using Bridge.Packets;
using Bridge.Rules.Alerts;
using Bridge.Rules.Inspection;
using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules;

/// <summary>
/// A loaded and compiled rule set: immutable, built off the data path, shared by every worker.
/// Reload builds a new one and swaps it whole. Per-worker state (flowbits, thresholds, counters)
/// lives in the <see cref="RuleInspector"/> each worker creates from it.
/// </summary>
public sealed class RuleSet
{
    private readonly RuleGroup _tcp;
    private readonly RuleGroup _udp;
    private readonly RuleGroup _icmp;
    private readonly RuleGroup _ip;

    private RuleSet(Rule[] rules, LoadReport report, int flowbitWords)
    {
        Rules = rules;
        RuleArray = rules;
        HeaderGates = Array.ConvertAll(rules, r => new HeaderGate(r));
        Report = report;
        FlowbitWords = flowbitWords;
        _tcp = Group(rules, RuleProtocol.Tcp);
        _udp = Group(rules, RuleProtocol.Udp);
        _icmp = Group(rules, RuleProtocol.Icmp);
        _ip = Group(rules, RuleProtocol.Ip);
    }

    /// <summary>Rules in evaluation order: by action (pass, drop, sdrop, reject, block, alert, log), then load order.</summary>
    public IReadOnlyList<Rule> Rules { get; }
    /// <summary><see cref="Rules"/> as an array: the per-packet loop indexes it without interface calls.</summary>
    internal Rule[] RuleArray { get; }
    /// <summary>Packed header facts per rule, indexed like <see cref="Rules"/>.</summary>
    internal HeaderGate[] HeaderGates { get; }
    public LoadReport Report { get; }
    /// <summary>Words of flowbit state each flow needs.</summary>
    public int FlowbitWords { get; }

    /// <summary>Loads rule files and folders (each folder: its *.rules and classification.config) and compiles them.</summary>
    public static RuleSet Load(IEnumerable<string> paths, RuleDialect? dialect = null)
    {
        var parser = new RuleFileParser(dialect);
        foreach (string p in paths) parser.LoadPath(p);
        return Compile(parser);
    }

    /// <summary>Compiles rules given as text (tests, the CLI's one-off rules); <paramref name="name"/> stands for the file name.</summary>
    public static RuleSet FromText(string text, string name = "inline.rules", RuleDialect? dialect = null)
    {
        var parser = new RuleFileParser(dialect);
        parser.LoadText(text, name);
        return Compile(parser);
    }

    private static RuleSet Compile(RuleFileParser parser)
    {
        var rules = parser.Finish();
        // Stable sort by action: Snort's default order decides which rules win (pass first).
        var ordered = rules.Select((r, i) => (r, i)).OrderBy(t => t.r.Action).ThenBy(t => t.i).Select(t => t.r).ToArray();
        for (int i = 0; i < ordered.Length; i++) ordered[i].Index = i;
        return new RuleSet(ordered, parser.Report, parser.Context.Words);
    }

    /// <summary>
    /// The rules a group's packets can match: its own protocol's and the <c>ip</c> rules, less the
    /// <c>ip</c> rules whose <c>ip_proto</c> excludes the group's protocol (a TCP, UDP or ICMP
    /// packet always carries that protocol; the ip group takes every other packet and keeps all).
    /// </summary>
    private static RuleGroup Group(Rule[] rules, RuleProtocol protocol)
    {
        ReadOnlySpan<byte> carried = protocol switch
        {
            RuleProtocol.Tcp => [IpProtocol.Tcp],
            RuleProtocol.Udp => [IpProtocol.Udp],
            RuleProtocol.Icmp => [IpProtocol.Icmp, IpProtocol.IcmpV6],
            _ => [],
        };
        var members = new List<Rule>();
        foreach (var r in rules)
        {
            if (r.Protocol == protocol) members.Add(r);
            else if (r.Protocol == RuleProtocol.Ip && protocol != RuleProtocol.Ip && r.AllowsIpProtocol(carried)) members.Add(r);
        }
        return new RuleGroup(members);
    }

    /// <summary>The largest pattern count of the groups (size of an inspector's per-pattern scratch).</summary>
    internal int MaxPatterns => Math.Max(Math.Max(_tcp.PatternCount, _udp.PatternCount), Math.Max(_icmp.PatternCount, _ip.PatternCount));

    internal RuleGroup GroupFor(in FrameInfo info) =>
        info.IsTcp ? _tcp : info.IsUdp ? _udp : info.IsIcmp ? _icmp : _ip;

    /// <summary>
    /// Index entries and bytes of the fast-pattern matchers (three per group, one per packet
    /// direction), and the distinct patterns they hold (for the load summary and benchmarks).
    /// </summary>
    public (int States, long Bytes, int Patterns) MatcherSize
    {
        get
        {
            int states = 0, patterns = 0;
            long bytes = 0;
            foreach (var g in new[] { _tcp, _udp, _icmp, _ip })
            {
                foreach (var index in new[] { g.ToServer, g.ToClient, g.WithoutFlow })
                {
                    states += index.Matcher.StateCount;
                    bytes += index.Matcher.MemoryBytes;
                }
                patterns += g.PatternCount;
            }
            return (states, bytes, patterns);
        }
    }

    /// <summary>A worker's inspector over this set. <paramref name="flowCapacity"/> is the worker's flow table size.</summary>
    public RuleInspector CreateInspector(int flowCapacity, IAlertSink? alerts = null, InspectorMode mode = InspectorMode.Inline) =>
        new(this, flowCapacity, alerts, mode);
}
