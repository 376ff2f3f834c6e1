using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Stages.Inspect;

/// <summary>
/// INSPECT: protocol state checks. ICMP (echo id/sequence matching, errors need an existing
/// connection) and TCP (first packet must be a SYN, three-way handshake, sequence window, FIN and
/// RST teardown). The first packet is only checked here; FLOW-CREATION records its state.
/// </summary>
public sealed class InspectStage : Stage
{
    public override string Type => "INSPECT";

    private const string Subtype = "np-inspect";

    private static readonly int IcmpChecked = CounterRegistry.Declare("INSPECT", "icmp_inspected", "ICMP packets checked by inspect icmp").Index;
    private static readonly int TcpChecked = CounterRegistry.Declare("INSPECT", "tcp_checked", "TCP packets checked against the connection state").Index;
    private static readonly int Failed = CounterRegistry.Declare("INSPECT", "dropped", "Packets dropped by a protocol state check").Index;

    private static readonly string[] IcmpConfig =
    [
        "class-map inspection_default",
        " match default-inspection-traffic",
        "policy-map global_policy",
        " class inspection_default",
        "  inspect icmp ",
        "  inspect icmp error ",
        "service-policy global_policy global",
    ];

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        ref readonly var info = ref ctx.Info;
        if (!info.IsIp || ctx.Trusted) return StageResult.Continue;
        if (info.IsIcmp)
        {
            if (!ctx.DryRun) dp.Counters[IcmpChecked]++;
            return Icmp(ref ctx, dp);
        }
        if (info.IsTcp)
        {
            if (!ctx.DryRun) dp.Counters[TcpChecked]++;
            return Tcp(ref ctx, dp);
        }
        return StageResult.Continue;
    }

    private StageResult Icmp(ref PacketContext ctx, DataPath dp)
    {
        ref readonly var info = ref ctx.Info;
        if (FlowKeys.IsIcmpError(info))
        {
            byte zone = (byte)dp.Snapshot.InterfaceTable[ctx.IngressIf].BridgeGroup;
            if (!IcmpInspector.TryQuotedKey(ctx.Frame, info, zone, out var quoted) || dp.Flows.Lookup(quoted) < 0)
            {
                return Fail(ref ctx, dp, DropReason.InspectIcmpErrorNoExistingConn, "ICMP error does not quote a packet of an existing connection");
            }
            Pass(ref ctx, "ICMP error belongs to an existing connection");
            return StageResult.Continue;
        }
        if (ctx.Stateless)
        {
            return StageResult.Continue;
        }

        bool reply = FlowKeys.IsEchoReply(info);
        if (!ctx.ExistingFlow)
        {
            if (reply) return Fail(ref ctx, dp, DropReason.InspectIcmpSeqNumNotMatched, "Echo reply without an outstanding echo request");
            Pass(ref ctx, null);
            return StageResult.Continue;
        }

        ref Flow flow = ref dp.FlowFor(ref ctx);
        if (reply)
        {
            if (!IcmpInspector.TakePending(ref flow, info.IcmpSeq))
            {
                return Fail(ref ctx, dp, DropReason.InspectIcmpSeqNumNotMatched, "Echo reply sequence number matches no outstanding request");
            }
        }
        else if (FlowKeys.IsEchoRequest(info))
        {
            IcmpInspector.AddPending(ref flow, info.IcmpSeq);
        }
        return StageResult.Continue;
    }

    private StageResult Tcp(ref PacketContext ctx, DataPath dp)
    {
        if (!ctx.ExistingFlow)
        {
            var first = TcpTracker.CheckFirst(ctx.Info);
            if (first != DropReason.None) return Fail(ref ctx, dp, first, "First TCP packet of a connection is not a SYN");
            return StageResult.Continue;
        }
        ref Flow flow = ref dp.FlowFor(ref ctx);
        var drop = TcpTracker.Track(ref flow, ctx.Info, ctx.FromResponder, out bool close);
        if (drop != DropReason.None)
        {
            return Fail(ref ctx, dp, drop, "TCP state check failed");
        }
        ctx.CloseFlow = close;
        // The handshake finished: the connection no longer counts against embryonic-conn-max.
        if (flow.Embryonic && flow.Tcp is not (TcpState.SynSent or TcpState.SynReceived) && !ctx.DryRun)
            dp.Flows.LeaveEmbryonic(ctx.FlowSlot);
        return StageResult.Continue;
    }

    private void Pass(ref PacketContext ctx, string? info)
    {
        if (ctx.Trace is null || ctx.ExistingFlow) return;
        ctx.Trace.Add(Type, Subtype, true, IcmpConfig, info is null ? null : [info]);
    }

    private StageResult Fail(ref PacketContext ctx, DataPath dp, DropReason reason, string why)
    {
        if (!ctx.DryRun) dp.Counters[Failed]++;
        ctx.Trace?.Add(Type, Subtype, false, ctx.Info.IsIcmp ? IcmpConfig : null, [why]);
        return ctx.DropFrame(reason);
    }
}
