using System.Runtime.CompilerServices;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;

namespace Bridge.Pipeline.Stages.L2EgressIfcLookup;

/// <summary>
/// L2-EGRESS-IFC-LOOKUP: learns the source MAC on the ingress nameif and picks the egress nameif
/// by destination MAC. With two bridge-group members, unknown unicast, broadcast and multicast go
/// to the other member (an inline pair); with more members, group addresses flood and unknown
/// unicast is dropped as FTD does (<c>dst-l2_lookup-fail</c>).
/// </summary>
public sealed class L2EgressIfcLookupStage : Stage
{
    public override string Type => "L2-EGRESS-IFC-LOOKUP";

    private const string Subtype = "Destination MAC L2 Lookup";

    private static readonly int Learned = CounterRegistry.Declare(
        "L2-EGRESS-IFC-LOOKUP", "mac_learned", "Source MACs learned or refreshed").Index;
    private static readonly int Moves = CounterRegistry.Declare(
        "L2-EGRESS-IFC-LOOKUP", "mac_moves", "Source MACs seen on another interface than the one they were learned on").Index;
    private static readonly int Flooded = CounterRegistry.Declare(
        "L2-EGRESS-IFC-LOOKUP", "flooded", "Broadcast, multicast or unknown-unicast frames sent to the other members").Index;
    private static readonly int UnknownUnicast = CounterRegistry.Declare(
        "L2-EGRESS-IFC-LOOKUP", "unknown_unicast", "Unicast frames whose destination MAC was not in the table").Index;

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        var snap = dp.Snapshot;
        var ingress = snap.InterfaceTable[ctx.IngressIf];
        if (ingress.Shutdown)
        {
            if (ctx.Trace is not null) Phase(ref ctx, false, $"Interface {ingress.NameIf} is administratively down");
            return ctx.DropFrame(DropReason.InterfaceDown);
        }

        var src = ctx.Info.Src;
        if (!ctx.DryRun && !src.IsGroup)
        {
            dp.Counters[Learned]++;
            if (dp.Macs.Learn(src, ctx.IngressIf, ctx.NowNs) >= 0) dp.Counters[Moves]++;
        }

        var dst = ctx.Info.Dst;
        if (dst.IsGroup) return Group(ref ctx, dp, snap);

        int known = dp.Macs.Lookup(dst, ctx.NowNs);
        if (known == ctx.IngressIf)
        {
            if (ctx.Trace is not null) Phase(ref ctx, false, $"Destination MAC {dst.ToCisco()} is on the ingress ifc {ingress.NameIf}");
            return ctx.DropFrame(DropReason.L2SameLanPort);
        }
        if (known >= 0 && !snap.InterfaceTable[known].Shutdown)
        {
            ctx.EgressIf = known;
            if (ctx.Trace is not null) TraceKnown(ref ctx, snap, known);
            return StageResult.Continue;
        }
        return Unknown(ref ctx, dp, snap);
    }

    // Broadcast and multicast: the other member of an inline pair, or every member.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private StageResult Group(ref PacketContext ctx, DataPath dp, RuntimeSnapshot snap)
    {
        var peers = snap.Peers(ctx.IngressIf);
        var dst = ctx.Info.Dst;
        if (peers.Length == 0) return Fail(ref ctx, "No other member in the bridge group");
        if (!ctx.DryRun) dp.Counters[Flooded]++;
        ctx.EgressIf = peers.Length == 1 ? peers[0] : PacketContext.EgressFlood;
        if (ctx.Trace is not null)
        {
            Phase(ref ctx, true, peers.Length == 1
                ? $"Destination MAC is {(dst.IsBroadcast ? "broadcast" : "multicast")}, egress ifc {snap.InterfaceTable[peers[0]].NameIf}"
                : $"Destination MAC is {(dst.IsBroadcast ? "broadcast" : "multicast")}, flooding to the bridge group");
        }
        return StageResult.Continue;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceKnown(ref PacketContext ctx, RuntimeSnapshot snap, int known)
    {
        Phase(ref ctx, true, $"Destination MAC lookup resulted in egress ifc {snap.InterfaceTable[known].NameIf}");
    }

    // Unicast to a MAC not in the table (or behind a shut interface).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private StageResult Unknown(ref PacketContext ctx, DataPath dp, RuntimeSnapshot snap)
    {
        var peers = snap.Peers(ctx.IngressIf);
        var dst = ctx.Info.Dst;
        if (!ctx.DryRun) dp.Counters[UnknownUnicast]++;
        if (peers.Length == 1)
        {
            ctx.EgressIf = peers[0];
            if (ctx.Trace is not null) Phase(ref ctx, true, $"Destination MAC {dst.ToCisco()} not learned yet; the only other member is egress ifc {snap.InterfaceTable[peers[0]].NameIf}");
            return StageResult.Continue;
        }
        return Fail(ref ctx, ctx.Trace is null ? "" : $"Destination MAC {dst.ToCisco()} not found");
    }

    private StageResult Fail(ref PacketContext ctx, string why)
    {
        Phase(ref ctx, false, why);
        return ctx.DropFrame(DropReason.DstL2LookupFail);
    }

    private void Phase(ref PacketContext ctx, bool allow, string info)
    {
        ctx.Trace?.Add(Type, Subtype, allow, info: [info]);
    }
}
