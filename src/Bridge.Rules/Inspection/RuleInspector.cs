using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;
using Bridge.Rules.Alerts;
using Bridge.Rules.Matching;

namespace Bridge.Rules.Inspection;

/// <summary>How verdicts are applied: inline (drops drop) or inline-tap (everything alerts, nothing drops).</summary>
public enum InspectorMode : byte
{
    Inline,
    InlineTap,
}

/// <summary>
/// One worker's rules engine: the <see cref="IExternalInspector"/> the EXTERNAL-INSPECT/SNORT stage
/// calls. Reads the shared immutable <see cref="RuleSet"/>; owns this worker's flowbits (a side
/// table indexed by flow slot, tagged with the flow id), threshold counters, hit counters and
/// scratch buffers. Allocation-free per packet except when an alert is formatted by the sink.
/// </summary>
public sealed class RuleInspector : IExternalInspector
{
    private readonly RuleSet _set;
    private readonly IAlertSink? _alerts;
    private readonly FlowStateTable _flowState;
    private readonly EventTracker _events = new();
    private readonly int[] _stamp;
    private readonly int[] _patternStamp;
    private readonly int[] _candidates;
    private readonly char[] _chars = new char[65536];
    /// <summary>The payload case-folded for the fast-pattern scan (and the padding the scan reads past its end).</summary>
    private readonly byte[] _folded = new byte[MaxScanned + PatternMatcher.ScratchPadding];
    private readonly ulong[] _dryRunBits;
    private readonly long[] _hits;
    private readonly Rule[] _matched;
    private int _generation;
    private long _packetNumber;

    internal RuleInspector(RuleSet set, int flowCapacity, IAlertSink? alerts, InspectorMode mode)
    {
        _set = set;
        _alerts = alerts;
        Mode = mode;
        _flowState = new FlowStateTable(flowCapacity, set.FlowbitWords);
        _stamp = new int[set.Rules.Count];
        _patternStamp = new int[set.MaxPatterns];
        _candidates = new int[set.Rules.Count];
        _hits = new long[set.Rules.Count];
        _matched = new Rule[Math.Max(1, set.Rules.Count)];
        _dryRunBits = new ulong[set.FlowbitWords];
    }

    /// <summary>Payload bytes the fast-pattern stage looks at: an IP packet's whole payload fits.</summary>
    private const int MaxScanned = 65536;

    public string Application => "SNORT Inspect";

    public InspectorMode Mode { get; }

    public RuleSet RuleSet => _set;

    /// <summary>Rules that matched the last inspected packet (for the trace), in evaluation order.</summary>
    public ReadOnlySpan<Rule> LastMatched => _matched.AsSpan(0, LastMatchedCount);
    public int LastMatchedCount { get; private set; }

    /// <summary>Times each rule fired (events before thresholds), indexed like <see cref="RuleSet.Rules"/>.</summary>
    public ReadOnlySpan<long> Hits => _hits;

    public IReadOnlyList<string> DescribeLastMatches()
    {
        var lines = new string[LastMatchedCount];
        for (int i = 0; i < lines.Length; i++)
        {
            var r = _matched[i];
            lines[i] = $"{r.Gid}:{r.Sid}:{r.Rev} {r.Message} ({r.Action.ToString().ToLowerInvariant()})";
        }
        return lines;
    }

    public long Packets { get; private set; }
    public long Alerts { get; private set; }
    /// <summary>Packets that fell under a tag (session or host) of a fired rule: counted, not alerted, as in Snort.</summary>
    public long TaggedPackets { get; private set; }

    public InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow)
    {
        bool hasFlow = ctx.FlowSlot >= 0 && flow.InUse;
        bool established = hasFlow && (flow.Key.Protocol == IpProtocol.Tcp
            ? flow.Tcp is TcpState.Established or TcpState.HalfClosed or TcpState.Closing
            : ctx.ExistingFlow);
        Span<ulong> bits = hasFlow ? _flowState.For(ctx.FlowSlot, flow.Id) : [];
        if (ctx.DryRun && !bits.IsEmpty)
        {
            // packet-tracer must not change the flow: work on a copy of its bits.
            bits.CopyTo(_dryRunBits);
            bits = _dryRunBits;
        }
        return Inspect(ctx.Frame, in ctx.Info, ctx.NowNs, hasFlow, !ctx.FromResponder, established, bits, commit: !ctx.DryRun);
    }

    /// <summary>
    /// For callers that track flows themselves (the offline runner, tests): <paramref name="flowSlot"/>
    /// and <paramref name="flowId"/> identify the flow (slot -1 for none).
    /// </summary>
    public InspectorVerdict Inspect(ReadOnlySpan<byte> frame, in FrameInfo info, long nowNs, int flowSlot, uint flowId,
        bool toServer, bool established)
    {
        Span<ulong> bits = flowSlot >= 0 ? _flowState.For(flowSlot, flowId) : [];
        return Inspect(frame, in info, nowNs, flowSlot >= 0, toServer, established, bits, commit: true);
    }

    private InspectorVerdict Inspect(ReadOnlySpan<byte> frame, in FrameInfo info, long nowNs, bool hasFlow, bool toServer,
        bool established, Span<ulong> flowBits, bool commit)
    {
        LastMatchedCount = 0;
        _packetNumber++;
        if (!info.IsIp) return InspectorVerdict.Pass;
        Packets++;
        var group = _set.GroupFor(info);
        var payload = Evaluation.PayloadOf(frame, in info);

        if (++_generation == 0)
        {
            Array.Clear(_stamp);
            Array.Clear(_patternStamp);
            _generation = 1;
        }
        var patterns = group.For(hasFlow, toServer);
        var sink = new CandidateSink
        {
            PatternRuleStart = patterns.PatternRuleStart,
            PatternRules = patterns.PatternRules,
            Stamp = _stamp,
            PatternStamp = _patternStamp,
            Generation = _generation,
            Out = _candidates,
        };
        if (!payload.IsEmpty)
        {
            var scanned = payload.Length <= MaxScanned ? payload : payload[..MaxScanned];
            patterns.Matcher.Scan(scanned, _folded, ref sink);
        }
        group.BySource.Collect(info.SrcIp, ref sink);
        group.ByDestination.Collect(info.DstIp, ref sink);
        sink.AddAll(group.NoContent);
        if (info.IsTcp || info.IsUdp)
        {
            sink.AddAll(group.ByDestinationPort[info.DstPort]);
            sink.AddAll(group.BySourcePort[info.SrcPort]);
        }
        var candidates = _candidates.AsSpan(0, sink.Count);
        // Most packets without payload (a scan's SYNs, bare ACKs) have no candidate at all: they
        // need neither the sort nor the evaluation state (HTTP buffer location, cursor arrays).
        if (candidates.IsEmpty) return InspectorVerdict.Pass;
        // Rule indexes are in action order: sorting candidates evaluates pass rules first.
        SortCandidates(candidates);

        bool ports = info.IsTcp || info.IsUdp;
        ushort sp = ports ? info.SrcPort : (ushort)0, dp = ports ? info.DstPort : (ushort)0;
        var verdict = InspectorVerdict.Pass;
        var e = new Evaluation(frame, in info, payload, _chars)
        {
            HasFlow = hasFlow,
            ToServer = toServer,
            Established = established,
            FlowBits = flowBits,
        };
        var rules = _set.RuleArray;
        var gates = _set.HeaderGates;
        foreach (int index in candidates)
        {
            ref readonly var gate = ref gates[index];
            if (!gate.PortsMatch(ports, sp, dp)) continue;
            var rule = rules[index];
            if (!gate.AddressesAny && !HeaderMatches(rule, in info, ports, sp, dp)) continue;
            e.StartRule();
            if (!rule.MatchFrom(ref e, 0)) continue;
            foreach (var change in rule.FlowbitChanges) change.Apply(flowBits);
            if (rule.DetectionFilter is { } df && !_events.Allow(index, df, Tracked(df.Track, in info), nowNs, commit)) continue;
            if (commit) _hits[index]++;
            _matched[LastMatchedCount++] = rule;
            if (rule.Action == RuleAction.Pass) break;
            if (rule.Tag is not null && commit) TaggedPackets++;
            bool blocks = rule.Blocks && Mode == InspectorMode.Inline;
            var ruleVerdict = !blocks ? InspectorVerdict.Pass
                : rule.Action == RuleAction.Block ? InspectorVerdict.BlockFlow
                : rule.Action == RuleAction.Reject ? InspectorVerdict.Reject
                : InspectorVerdict.BlockPacket;
            if (ruleVerdict > verdict) verdict = ruleVerdict;
            if (rule.NoAlert || rule.Action == RuleAction.Sdrop) continue;
            if (rule.Threshold is { } th && !_events.Allow(index, th, Tracked(th.Track, in info), nowNs, commit)) continue;
            if (!commit) continue;
            Alerts++;
            _alerts?.Alert(new AlertEvent(rule, nowNs, info.SrcIp, sp, info.DstIp, dp, info.Protocol, ports,
                frame.Length, _packetNumber, toServer, hasFlow, ruleVerdict, rule.Blocks && Mode == InspectorMode.InlineTap));
        }
        return verdict;
    }

    /// <summary>
    /// Payload packets bring ~13–22 candidates: an insertion sort is cheaper there than the
    /// general sort's partitioning (which starts above 16 elements); long lists use the general sort.
    /// </summary>
    private static void SortCandidates(Span<int> candidates)
    {
        if (candidates.Length > 48)
        {
            candidates.Sort();
            return;
        }
        for (int i = 1; i < candidates.Length; i++)
        {
            int value = candidates[i], j = i - 1;
            while (j >= 0 && candidates[j] > value)
            {
                candidates[j + 1] = candidates[j];
                j--;
            }
            candidates[j + 1] = value;
        }
    }

    private static IpAddr Tracked(TrackBy track, in FrameInfo info) => track == TrackBy.Source ? info.SrcIp : info.DstIp;

    /// <summary>Addresses and, for TCP/UDP rules, ports; <c>&lt;&gt;</c> rules also in the reverse direction.</summary>
    private static bool HeaderMatches(Rule r, in FrameInfo info, bool ports, ushort sp, ushort dp)
    {
        // ip rules ignore ports, except Snort 3 service rules mapped onto a port list (dns, sip).
        bool checkPorts = ports && (r.Protocol is RuleProtocol.Tcp or RuleProtocol.Udp || !r.DestinationPorts.IsAny);
        // Ports first: two bit tests reject most candidates before the address lists are walked.
        if ((!checkPorts || (r.SourcePorts.Contains(sp) && r.DestinationPorts.Contains(dp)))
            && r.Source.Contains(info.SrcIp) && r.Destination.Contains(info.DstIp))
            return true;
        return r.Bidirectional && (!checkPorts || (r.SourcePorts.Contains(dp) && r.DestinationPorts.Contains(sp)))
            && r.Source.Contains(info.DstIp) && r.Destination.Contains(info.SrcIp);
    }

    /// <summary>
    /// The sids of the packet's matched rules that raise events (not pass, sdrop or noalert
    /// rules); thresholds are not applied here: an alert capture keeps a flow that matched even
    /// when the alert line itself was suppressed.
    /// </summary>
    public int LastAlertSids(Span<uint> sids)
    {
        int n = 0;
        foreach (var r in LastMatched)
        {
            if (n == sids.Length) break;
            if (r.Action is RuleAction.Pass or RuleAction.Sdrop || r.NoAlert) continue;
            sids[n++] = r.Sid;
        }
        return n;
    }
}
