using System.Runtime.CompilerServices;
using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Stages.ExternalInspect;

/// <summary>
/// EXTERNAL-INSPECT and SNORT: hands the packet to the rules engine and applies its verdict.
/// Trusted connections and connections the engine fast-forwarded skip the hand-off; a
/// black-listed connection drops this and every later packet (<c>snort-drop</c>).
/// </summary>
public sealed class ExternalInspectStage : Stage
{
    public override string Type => "EXTERNAL-INSPECT";

    private const string SnortType = "SNORT";

    private static readonly int Inspected = CounterRegistry.Declare("EXTERNAL-INSPECT", "inspected", "Packets handed to the rules engine").Index;
    private static readonly int Blocked = CounterRegistry.Declare("SNORT", "blocked", "Packets the rules engine blocked (block-packet or black-list)").Index;
    private static readonly int Blacklisted = CounterRegistry.Declare("SNORT", "blacklisted_flows", "Connections the rules engine black-listed").Index;
    private static readonly int Rejected = CounterRegistry.Declare("SNORT", "reject_replies", "TCP resets and ICMP unreachables sent for reject rules").Index;
    private static readonly int FastForwarded = CounterRegistry.Declare("SNORT", "fast_forwarded", "Connections the rules engine let through without further inspection").Index;

    private static readonly int FailOpenDown = CounterRegistry.Declare("SNORT", "fail_open_down", "Packets passed uninspected by snort fail-open while the engine was down").Index;
    private static readonly int FailOpenBusy = CounterRegistry.Declare("SNORT", "fail_open_busy", "Packets passed uninspected by snort fail-open while the engine was busy").Index;
    private static readonly int FailCloseDown = CounterRegistry.Declare("SNORT", "fail_close_down", "Packets dropped by snort fail-close while the engine was down (snort-down)").Index;
    private static readonly int FailCloseBusy = CounterRegistry.Declare("SNORT", "fail_close_busy", "Packets dropped by snort fail-close while the engine was busy (snort-busy-not-fail-open)").Index;
    private static readonly int EngineFaults = CounterRegistry.Declare("SNORT", "engine_faults", "Exceptions the rules engine threw on a packet").Index;

    /// <summary>
    /// The engine cannot judge this packet (down) or must not be waited for (busy): FTD's "Snort fail
    /// open" decides. Fail-open passes it uninspected, fail-close drops it with snort-down or
    /// snort-busy-not-fail-open. Counted either way; the flow's verdict is left alone, so the next
    /// packet is offered to the engine again.
    /// </summary>
    private static StageResult EngineUnavailable(ref PacketContext ctx, DataPath dp, bool busy, string why)
    {
        bool open = dp.Snapshot.Config.SnortFailPolicy == SnortFailPolicy.FailOpen;
        if (!ctx.DryRun) dp.Counters[open ? (busy ? FailOpenBusy : FailOpenDown) : (busy ? FailCloseBusy : FailCloseDown)]++;
        if (ctx.Trace is not null)
        {
            string state = busy ? "Snort instance busy" : "Snort instance down";
            string action = open ? "fail-open: allow this packet without inspection" : "fail-close: drop this packet";
            ctx.Trace.Add(SnortType, "", open, info: [$"{state} ({why}), {action}"]);
        }
        if (open) return StageResult.Continue;
        return ctx.DropFrame(busy ? DropReason.SnortBusyNotFailOpen : DropReason.SnortDown);
    }

    // The verdict line, then the rules that decided it (only built while tracing).
    private static string[] SnortInfo(IExternalInspector inspector, string verdict)
    {
        var matched = inspector.DescribeLastMatches();
        var info = new string[matched.Count + 1];
        info[0] = verdict;
        for (int i = 0; i < matched.Count; i++) info[i + 1] = "Matched rule: " + matched[i];
        return info;
    }

    /// <summary>
    /// Sends a reject rule's answers: TCP resets out of the ingress interface (to the sender) and
    /// the egress interface (to the receiver, when known), else an ICMP unreachable to the sender.
    /// The dropped frame is no longer needed, so the egress buffer holds the replies. Returns the
    /// trace line (only used while tracing; constant strings, no allocation).
    /// </summary>
    private static string Reject(ref PacketContext ctx, DataPath dp)
    {
        var snap = dp.Snapshot;
        if (ctx.IngressIf < 0) return NoReply;
        var ingress = snap.InterfaceTable[ctx.IngressIf];
        var buffer = dp.EgressBuffer;
        if (ctx.Info.IsTcp)
        {
            int n = RejectReply.TcpReset(ctx.Frame, in ctx.Info, towardSender: true, ingress.Vlan, buffer);
            Send(ref ctx, dp, ingress.PhysPort, buffer.AsSpan(0, n));
            if (ctx.EgressIf < 0) return ResetSender;
            var egress = snap.InterfaceTable[ctx.EgressIf];
            n = RejectReply.TcpReset(ctx.Frame, in ctx.Info, towardSender: false, egress.Vlan, buffer);
            Send(ref ctx, dp, egress.PhysPort, buffer.AsSpan(0, n));
            return ResetBoth;
        }
        int len = RejectReply.IcmpUnreachable(ctx.Frame, in ctx.Info, ingress.Vlan, buffer);
        if (len == 0) return NoReply;
        Send(ref ctx, dp, ingress.PhysPort, buffer.AsSpan(0, len));
        return Unreachable;
    }

    private const string ResetBoth = "Reject: TCP reset sent to both ends";
    private const string ResetSender = "Reject: TCP reset sent to the sender (receiver's interface unknown)";
    private const string Unreachable = "Reject: ICMP destination unreachable sent to the sender";
    private const string NoReply = "Reject: no reply for this packet (ICMP error or not answerable)";

    private static void Send(ref PacketContext ctx, DataPath dp, int physPort, ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty || ctx.DryRun || dp.Transmitter is null) return;
        dp.Transmitter.Transmit(physPort, frame);
        dp.Counters[Rejected]++;
    }

    private static void TellAlertCaptures(ref PacketContext ctx, IExternalInspector inspector, ICaptureHook captures)
    {
        Span<uint> sids = stackalloc uint[16];
        int n = inspector.LastAlertSids(sids);
        if (n > 0) captures.Alerted(ref ctx, sids[..n]);
    }

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        // No engine and none configured (the common case without snort rules): nothing inspects
        // here, decided in a few compares that inline into the stage run.
        if (!ctx.Info.IsIp || ctx.Trusted || (dp.Inspector is null && !dp.EngineExpected)) return StageResult.Continue;
        return HandOff(ref ctx, dp);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StageResult HandOff(ref PacketContext ctx, DataPath dp)
    {
        var inspector = dp.Inspector;
        if (inspector is null)
        {
            // No engine and none configured: nothing inspects here. Configured but not loaded: down.
            if (!dp.EngineExpected) return StageResult.Continue;
            return EngineUnavailable(ref ctx, dp, busy: false, "no rule set loaded");
        }

        ref Flow flow = ref ctx.FlowSlot >= 0 || ctx.DryRun ? ref dp.FlowFor(ref ctx) : ref dp.DryRunFlow;
        if (ctx.FlowSlot < 0 && !ctx.DryRun) dp.DryRunFlow = default;
        if (flow.Verdict == FlowVerdict.Allowed) return StageResult.Continue;
        if (dp.EngineBusy && !ctx.DryRun) return EngineUnavailable(ref ctx, dp, busy: true, "receive backlog past the busy mark");

        if (!ctx.DryRun) dp.Counters[Inspected]++;
        ctx.Trace?.Add(Type, "", true, info: [$"Application: '{inspector.Application}'"]);
        if (!ctx.DryRun) dp.SnortTap?.Offer(ref ctx);
        InspectorVerdict verdict;
        try
        {
#if FAULT_INJECTION
            if (!ctx.DryRun) FaultHook.Hit(SnortType);
#endif
            verdict = inspector.Inspect(ref ctx, ref flow);
        }
        catch (Exception e)
        {
            // The engine failed on this packet: it is down for this packet, the policy decides.
            if (!ctx.DryRun) dp.Counters[EngineFaults]++;
            return EngineUnavailable(ref ctx, dp, busy: false, ctx.Trace is null ? "" : "engine fault: " + e.Message);
        }
        flow.SnortInspected = true;
        if (dp.Captures is { WantsAlerts: true } captures && !ctx.DryRun) TellAlertCaptures(ref ctx, inspector, captures);
        switch (verdict)
        {
            case InspectorVerdict.BlockPacket:
                if (!ctx.DryRun) dp.Counters[Blocked]++;
                ctx.Trace?.Add(SnortType, "", false, info: SnortInfo(inspector, "Snort Verdict: (block-packet) drop this packet"));
                return ctx.DropFrame(DropReason.SnortDrop);
            case InspectorVerdict.Reject:
                if (!ctx.DryRun) dp.Counters[Blocked]++;
                string replies = Reject(ref ctx, dp);
                if (ctx.Trace is not null)
                {
                    var info = SnortInfo(inspector, "Snort Verdict: (block-packet) drop this packet");
                    ctx.Trace.Add(SnortType, "", false, info: [info[0], replies, .. info.AsSpan(1)]);
                }
                return ctx.DropFrame(DropReason.SnortDrop);
            case InspectorVerdict.BlockFlow:
                if (!ctx.DryRun) dp.Counters[Blocked]++;
                if (!ctx.DryRun) dp.Counters[Blacklisted]++;
                flow.Verdict = FlowVerdict.Blocked;
                ctx.Trace?.Add(SnortType, "", false, info: SnortInfo(inspector, "Snort Verdict: (black-list) black list this flow"));
                return ctx.DropFlow(DropReason.SnortDrop);
            case InspectorVerdict.AllowFlow:
                if (!ctx.DryRun) dp.Counters[FastForwarded]++;
                flow.Verdict = FlowVerdict.Allowed;
                ctx.Trace?.Add(SnortType, "", true, info: SnortInfo(inspector, "Snort Verdict: (fast-forward) fast forward this flow"));
                return StageResult.Continue;
            default:
                ctx.Trace?.Add(SnortType, "", true, info: SnortInfo(inspector, "Snort Verdict: (pass-packet) allow this packet"));
                return StageResult.Continue;
        }
    }
}
