using System.Runtime.CompilerServices;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Stages.FlowLookup;

/// <summary>
/// FLOW-LOOKUP: finds the packet's connection. A hit takes the fast path (no ACL, no flow
/// creation); a miss sends the packet on to the policy stages. Non-first fragments find their
/// connection through the ports remembered from the first fragment.
/// </summary>
public sealed class FlowLookupStage : Stage
{
    public override string Type => "FLOW-LOOKUP";

    private static readonly int Hits = CounterRegistry.Declare("FLOW-LOOKUP", "hits", "Packets that matched an existing connection").Index;
    private static readonly int Misses = CounterRegistry.Declare("FLOW-LOOKUP", "misses", "Packets with no existing connection").Index;
    private static readonly int Expired = CounterRegistry.Declare("FLOW-LOOKUP", "expired_on_lookup", "Connections found idle past their timeout when a packet arrived").Index;

    private static readonly int FragmentDrops = CounterRegistry.Declare("FLOW-LOOKUP", "fragments_dropped", "Fragments dropped: no first fragment, overlap, past 64 KiB or too many pieces").Index;
    private static readonly int Land = CounterRegistry.Declare("FLOW-LOOKUP", "land_attack", "First packets with the same source and destination address (sp-security-failed)").Index;

    private static readonly string[] NoFlow = ["Found no matching flow, creating a new flow"];

    private readonly FragmentMap _fragments = new();

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        ref readonly var info = ref ctx.Info;
        if (!info.IsIp) return StageResult.Continue;
        if (info.IsIcmp && (FlowKeys.IsIcmpError(info) || FlowKeys.IsNeighborDiscovery(info)))
        {
            // Related traffic: INSPECT checks it against the quoted connection; it never gets one of its own.
            ctx.Stateless = true;
            return StageResult.Continue;
        }

        ushort sp = 0, dpp = 0;
        if (info.IsTcp || info.IsUdp)
        {
            sp = info.SrcPort;
            dpp = info.DstPort;
        }
        else if (info.L4Offset >= 0)
        {
            FlowKeys.Ports(info, out sp, out dpp);
        }
        // An IPv6 atomic fragment (offset 0, no more fragments) is a whole datagram.
        if (info.IsFragment && (info.MoreFragments || info.FragmentOffset != 0) && !AdmitFragment(ref ctx, dp, ref sp, ref dpp))
        {
            return StageResult.Drop;
        }

        var snap = dp.Snapshot;
        byte zone = (byte)snap.InterfaceTable[ctx.IngressIf].BridgeGroup;
        ctx.Key = FlowKeys.For(info, sp, dpp, zone, out ctx.SrcIsA);
        ctx.HasKey = true;

        int slot = dp.Flows.Lookup(ctx.Key);
        if (slot >= 0 && dp.Flows.IsExpired(slot, ctx.NowNs, in snap.TimeoutTable))
        {
            ExpireOnLookup(ref ctx, dp, slot);
            slot = -1;
        }
        if (slot < 0) return Miss(ref ctx, dp);

        ref Flow flow = ref dp.Flows[slot];
        ctx.FlowSlot = slot;
        ctx.ExistingFlow = true;
        ctx.FromResponder = ctx.SrcIsA != flow.InitiatorIsA;
        ctx.Trusted = flow.Trusted;
        ctx.AceIndex = flow.AceIndex;
        if (!ctx.DryRun)
        {
            dp.Counters[Hits]++;
            flow.LastNs = ctx.NowNs;
            flow.Packets++;
            if (info.PayloadLength > 0) flow.Bytes += info.PayloadLength;
        }
        if (ctx.Trace is not null) TraceHit(ref ctx, in flow);
        if (flow.Verdict == FlowVerdict.Blocked)
        {
            return ctx.DropFlow(DropReason.SnortDrop);
        }
        return StageResult.Continue;
    }

    // The rarer paths live in their own methods so that the per-packet one stays small enough for
    // the JIT to inline what it calls (the key constructor, the protocol tests).

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AdmitFragment(ref PacketContext ctx, DataPath dp, ref ushort sp, ref ushort dpp)
    {
        var verdict = _fragments.Admit(ctx.Info, ctx.NowNs, !ctx.DryRun, ref sp, ref dpp);
        if (verdict == FragmentVerdict.Accepted) return true;
        if (!ctx.DryRun) dp.Counters[FragmentDrops]++;
        ctx.Trace?.Add(Type, "", false, info: [FragmentText(verdict)]);
        ctx.DropFrame(DropReason.FragmentReassemblyFailed);
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExpireOnLookup(ref PacketContext ctx, DataPath dp, int slot)
    {
        if (ctx.DryRun) return;
        dp.Flows.Remove(slot, FlowTable.TimeoutReason(in dp.Flows[slot]), ctx.NowNs);
        dp.Counters[Expired]++;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StageResult Miss(ref PacketContext ctx, DataPath dp)
    {
        ref readonly var info = ref ctx.Info;
        if (info.SrcIp == info.DstIp)
        {
            // Land attack: a connection from an address to itself. ASA's slow path refuses to build it.
            if (!ctx.DryRun) dp.Counters[Land]++;
            ctx.Trace?.Add(Type, "", false, info: [NoFlow[0], $"Source and destination address are both {info.SrcIp}: land attack"]);
            return ctx.DropFrame(DropReason.SpSecurityFailed);
        }
        if (!ctx.DryRun) dp.Counters[Misses]++;
        if (ctx.Trace is not null) ctx.Trace.Add(Type, "", true, info: NoFlow);
        return StageResult.Continue;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceHit(ref PacketContext ctx, in Flow flow)
    {
        ctx.Trace!.Add(Type, "", flow.Verdict != FlowVerdict.Blocked, info: [$"Found flow with id {flow.Id}, using existing flow"]);
    }

    private static string FragmentText(FragmentVerdict verdict) => verdict switch
    {
        FragmentVerdict.NoFirstFragment => "Non-first fragment without a preceding first fragment",
        FragmentVerdict.Overlap => "Fragment overlaps data already received for this datagram",
        FragmentVerdict.BadGeometry => "Fragment ends past 65535 bytes or a middle fragment is not a multiple of 8 bytes",
        _ => "Datagram arrived in too many disjoint fragments",
    };
}
