using System.Runtime.CompilerServices;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;

namespace Bridge.Pipeline.Stages.Transmit;

/// <summary>
/// Transmit: builds the egress frame (VLAN translation), offers it to the egress captures and
/// queues it on the egress port; floods to every other bridge-group member when asked to. Not an
/// FTD phase of its own: the trace shows the egress CAPTURE phase when a capture is defined there.
/// </summary>
public sealed class TransmitStage : Stage
{
    public override string Type => "TRANSMIT";

    private static readonly int Sent = CounterRegistry.Declare("TRANSMIT", "frames", "Frames queued for transmission").Index;
    private static readonly int LinkDown = CounterRegistry.Declare("TRANSMIT", "link_down", "Frames not sent because the egress link was down").Index;

    private static readonly string[] MacInfo = ["MAC Access list"];

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        if (ctx.EgressIf < 0) return Flood(ref ctx, dp);
        var li = dp.Snapshot.InterfaceTable[ctx.EgressIf];
        var transmitter = dp.Transmitter;
        if (!ctx.DryRun && transmitter is not null && !transmitter.IsLinkUp(li.PhysPort))
        {
            dp.Counters[LinkDown]++;
            return ctx.DropFrame(DropReason.InterfaceDown);
        }
        var frame = VlanTag.Apply(ctx.Frame, ctx.Info, li.Vlan, dp.EgressBuffer, inPlace: true);
        Send(ref ctx, dp, ctx.EgressIf, li.PhysPort, frame);
        return StageResult.Continue;
    }

    // Flood: each member gets its own copy built from the unmodified received frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StageResult Flood(ref PacketContext ctx, DataPath dp)
    {
        var snap = dp.Snapshot;
        var peers = snap.Peers(ctx.IngressIf);
        int sent = 0;
        for (int i = 0; i < peers.Length; i++)
        {
            var li = snap.InterfaceTable[peers[i]];
            if (li.Shutdown) continue;
            if (!ctx.DryRun && dp.Transmitter is not null && !dp.Transmitter.IsLinkUp(li.PhysPort)) continue;
            var frame = VlanTag.Apply(ctx.Frame, ctx.Info, li.Vlan, dp.EgressBuffer, inPlace: false);
            Send(ref ctx, dp, peers[i], li.PhysPort, frame);
            sent++;
        }
        if (sent == 0)
        {
            if (!ctx.DryRun) dp.Counters[LinkDown]++;
            return ctx.DropFrame(DropReason.InterfaceDown);
        }
        return StageResult.Continue;
    }

    private static void Send(ref PacketContext ctx, DataPath dp, int egressIf, int physPort, scoped Span<byte> frame)
    {
        if (dp.Captures is { } captures && captures.Egress(ref ctx, egressIf, frame) && ctx.Trace is not null)
        {
            ctx.Trace.Add("CAPTURE", "", true, info: MacInfo);
        }
        if (ctx.DryRun) return;
        dp.Transmitter?.Transmit(physPort, frame);
        dp.Counters[Sent]++;
        ref var ic = ref dp.Interfaces[egressIf];
        ic.PacketsOut++;
        ic.BytesOut += frame.Length;
    }
}
