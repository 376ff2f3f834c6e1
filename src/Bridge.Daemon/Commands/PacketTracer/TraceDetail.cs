using System.Globalization;
using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Trace;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>What the tracer knew around a traced packet, for the <c>detailed</c> rule dumps.</summary>
internal sealed record TraceFacts
{
    public required RuntimeSnapshot Snapshot { get; init; }

    /// <summary>The decoded traced frame.</summary>
    public required FrameInfo Info { get; init; }

    /// <summary>Logical ingress interface, -1 when the frame was not classified.</summary>
    public required int IngressIf { get; init; }

    /// <summary>ACE hit counts of <see cref="Snapshot"/>'s policy, as they stand (the traced packet adds none).</summary>
    public required long[] Hits { get; init; }

    /// <summary>Where the MAC table had the destination MAC, -1 when unknown.</summary>
    public int DestinationMacIf { get; init; } = -1;

    /// <summary>The connection FLOW-LOOKUP found (a copy), if any.</summary>
    public Flow? ExistingFlow { get; init; }

    /// <summary>The worker whose flow table the trace ran against; -1 for a sandbox.</summary>
    public int Worker { get; init; } = -1;

    /// <summary>Extra Additional Information for FLOW-LOOKUP (how an established connection was simulated).</summary>
    public IReadOnlyList<string> FlowNote { get; init; } = [];

    public long NowNs { get; init; }
}

/// <summary>
/// Adds the <c>detailed</c> dumps to a trace (ftd-reference §3.1): the ASP rule behind each
/// ACCESS-LIST phase with its hit count, the MAC table entry behind the L2 lookup, the flow the
/// lookup found and the modules a new flow will run. Stages record what they decided; the dumps
/// are rebuilt here from the same compiled policy and tables, off the data path.
/// </summary>
internal static class TraceDetail
{
    public static TraceSink Enrich(TraceSink trace, TraceFacts facts)
    {
        var copy = new TraceSink
        {
            InputInterface = trace.InputInterface,
            OutputInterface = trace.OutputInterface,
            InputUp = trace.InputUp,
            OutputUp = trace.OutputUp,
            Allowed = trace.Allowed,
            Drop = trace.Drop,
            DropSection = trace.DropSection,
        };
        foreach (var p in trace.Phases)
        {
            var info = p.Info;
            var detail = new List<string>(p.Detail);
            switch (p.Type)
            {
                case "ACCESS-LIST" when p.Subtype.Length == 0:
                    detail.AddRange(MacRule(facts));
                    break;
                case "ACCESS-LIST":
                    detail.AddRange(L3Rule(facts));
                    break;
                case "L2-EGRESS-IFC-LOOKUP":
                    detail.AddRange(MacLookup(facts));
                    break;
                case "FLOW-LOOKUP":
                    detail.AddRange(FlowLookup(facts));
                    if (facts.FlowNote.Count > 0) info = [.. info, .. facts.FlowNote];
                    break;
                case "FLOW-CREATION":
                    detail.AddRange(Modules(facts));
                    break;
            }
            var q = new Phase { Type = p.Type, Subtype = p.Subtype, Allowed = p.Allowed, Config = p.Config, Info = info, Detail = detail };
            copy.Add(q);
            q.ElapsedNs = p.ElapsedNs;
        }
        copy.TotalNs = trace.TotalNs;
        return copy;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string IfName(TraceFacts f, int i) => i >= 0 && i < f.Snapshot.Interfaces.Count ? f.Snapshot.Interfaces[i].NameIf : "any";

    private static IEnumerable<string> MacRule(TraceFacts f)
    {
        if (f.IngressIf < 0) yield break;
        var policy = f.Snapshot.Policy;
        var verdict = policy.MatchEtherType(f.IngressIf, f.Info.EtherType, f.Info.IsLlc, f.Info.Dst, out int ace);
        yield return " Forward Flow based lookup yields rule:";
        if (ace >= 0)
        {
            var a = policy.Ace(ace);
            yield return Inv($" in  id=0x{ace + 1:x}, priority=13, domain=permit, deny={(verdict == EtherVerdict.Deny ? "true" : "false")}");
            yield return Inv($"        hits={Hit(f, ace)}, user_data=0x0, cs_id=0x0, use_real_addr, flags=0x0, l3_type=0x{f.Info.EtherType:x}");
            yield return "        " + (a.ExpandedLine ?? a.AceLine);
        }
        else
        {
            yield return Inv($" in  id=0x0, priority=13, domain=permit, deny={(verdict == EtherVerdict.ImplicitPermit ? "false" : "true")}");
            yield return Inv($"        hits=0, user_data=0x0, cs_id=0x0, l3_type=0x{f.Info.EtherType:x}");
            yield return "        src mac=0000.0000.0000, mask=0000.0000.0000";
            yield return "        dst mac=0000.0000.0000, mask=0100.0000.0000";
        }
        yield return Inv($"        input_ifc={IfName(f, f.IngressIf)}, output_ifc=any");
    }

    private static IEnumerable<string> L3Rule(TraceFacts f)
    {
        if (f.IngressIf < 0 || !f.Info.IsIp) yield break;
        var policy = f.Snapshot.Policy;
        if (!policy.HasAccessGroup(f.IngressIf))
        {
            yield return " No access-group applies to this interface: no rule lookup";
            yield break;
        }
        int ace = policy.Match(f.IngressIf, AclKeys.FromFrame(f.Info));
        var i = f.Info;
        string proto = Inv($"protocol={i.Protocol}");
        yield return " Forward Flow based lookup yields rule:";
        if (ace < 0)
        {
            yield return " in  id=0x0, priority=11, domain=permit, deny=true";
            yield return Inv($"        hits=0, user_data=0x0, cs_id=0x0, flags=0x0, {proto}");
            yield return "        Implicit deny at the end of the access-group";
        }
        else
        {
            var a = policy.Ace(ace);
            yield return Inv($" in  id=0x{ace + 1:x}, priority=12, domain=permit, deny={(a.Action == AceAction.Deny ? "true" : "false")}{(a.Action == AceAction.Trust ? ", trust" : "")}");
            yield return Inv($"        hits={Hit(f, ace)}, user_data=0x{a.RuleId:x}, cs_id=0x0, use_real_addr, flags=0x0, {proto}");
            yield return Inv($"        rule-id {a.RuleId}, {a.ListName} line {a.Line}: {a.ExpandedLine ?? a.AceLine}");
        }
        yield return Inv($"        src ip/id={i.SrcIp}, port={(i.IsTcp || i.IsUdp ? i.SrcPort : 0)}, tag=any, ifc={IfName(f, f.IngressIf)}");
        yield return Inv($"        dst ip/id={i.DstIp}, port={(i.IsTcp || i.IsUdp ? i.DstPort : 0)}, tag=any, ifc=any, dscp=0x{i.Tos >> 2:x}");
        yield return Inv($"        input_ifc={IfName(f, f.IngressIf)}, output_ifc=any");
    }

    private static long Hit(TraceFacts f, int ace) => ace < f.Hits.Length ? f.Hits[ace] : 0;

    private static IEnumerable<string> MacLookup(TraceFacts f)
    {
        var dst = f.Info.Dst;
        if (dst.IsGroup)
        {
            yield return Inv($" dst mac={dst.ToCisco()} is a group address: no MAC table lookup");
        }
        else if (f.DestinationMacIf >= 0)
        {
            yield return Inv($" MAC table: {dst.ToCisco()} learned on {IfName(f, f.DestinationMacIf)}");
        }
        else
        {
            yield return Inv($" MAC table: {dst.ToCisco()} not present");
        }
        if (f.IngressIf >= 0)
        {
            var peers = f.Snapshot.Peers(f.IngressIf);
            var names = new List<string>();
            foreach (int p in peers) names.Add(IfName(f, p));
            yield return Inv($" bridge-group {f.Snapshot.Interfaces[f.IngressIf].BridgeGroup} members besides {IfName(f, f.IngressIf)}: {(names.Count == 0 ? "none" : string.Join(", ", names))}");
        }
    }

    private static IEnumerable<string> FlowLookup(TraceFacts f)
    {
        string where = f.Worker >= 0 ? Inv($"worker {f.Worker}'s connection table") : "the tracer's sandbox connection table";
        if (f.ExistingFlow is not { } flow)
        {
            yield return Inv($" Looked up in {where}: no match");
            yield break;
        }
        yield return Inv($" Looked up in {where}: flow id {flow.Id}");
        yield return Inv($" {ShowConn.Proto(flow.Key.Protocol)} initiator {IfName(f, flow.InitiatorIf)} {flow.InitiatorAddr}:{flow.InitiatorPort}, responder {IfName(f, flow.ResponderIf)} {flow.ResponderAddr}:{flow.ResponderPort}");
        string tcp = flow.Key.Protocol == IpProtocol.Tcp ? Inv($", tcp state {flow.Tcp}") : "";
        yield return Inv($" flags {ShowConn.Flags(flow)}, packets {flow.Packets}, bytes {flow.Bytes}, idle {ShowConn.Short(Math.Max(0, f.NowNs - flow.LastNs))}{tcp}");
    }

    private static IEnumerable<string> Modules(TraceFacts f)
    {
        var i = f.Info;
        string inspect = i.IsTcp ? "INSPECT tcp-state" : i.IsIcmp ? "INSPECT icmp" : "";
        yield return "Module information for forward flow ...";
        foreach (var m in Chain(inspect)) yield return m;
        yield return "";
        yield return "Module information for reverse flow ...";
        foreach (var m in Chain(inspect)) yield return m;
    }

    private static IEnumerable<string> Chain(string inspect)
    {
        // The stages a later packet of the flow runs, in StageOrder; the policy stages skip it.
        yield return "ACCESS-LIST (MAC Access list)";
        yield return "L2-EGRESS-IFC-LOOKUP";
        yield return "FLOW-LOOKUP";
        yield return "IP-OPTIONS";
        if (inspect.Length > 0) yield return inspect;
        yield return "EXTERNAL-INSPECT";
        yield return "TRANSMIT";
    }
}
