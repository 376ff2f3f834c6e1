using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;

namespace Bridge.Pipeline.Stages.AccessListMac;

/// <summary>
/// ACCESS-LIST (MAC / EtherType): the transparent-mode L2 filter. ARP, IPv4, IPv6 and BPDUs pass
/// by the implicit rule; any other EtherType needs an <c>ethertype</c> ACE, else <c>l2_acl</c>.
/// </summary>
public sealed class AccessListMacStage : Stage
{
    public override string Type => "ACCESS-LIST";

    private static readonly int Permitted = CounterRegistry.Declare("ACCESS-LIST", "ethertype_permitted", "Frames passed by the L2 (EtherType) access list, implicit rule included").Index;
    private static readonly int Denied = CounterRegistry.Declare("ACCESS-LIST", "ethertype_denied", "Frames dropped by the L2 (EtherType) access list (l2_acl)").Index;

    private static readonly string[] ImplicitConfig = ["Implicit Rule"];
    private static readonly string[] MacInfo = ["MAC Access list"];

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        // Nearly every frame: the implicit rule decides without a look at the policy.
        if (!ctx.Info.IsLlc && CompiledPolicy.IsImplicitEtherType(ctx.Info.EtherType))
        {
            if (!ctx.DryRun) dp.Counters[Permitted]++;
            ctx.Trace?.Add(Type, "", true, ImplicitConfig, MacInfo);
            return StageResult.Continue;
        }
        return Lookup(ref ctx, dp);
    }

    private StageResult Lookup(ref PacketContext ctx, DataPath dp)
    {
        var policy = dp.Snapshot.Policy;
        var verdict = policy.MatchEtherType(ctx.IngressIf, ctx.Info.EtherType, ctx.Info.IsLlc, ctx.Info.Dst, out int ace);
        bool allow = verdict is EtherVerdict.ImplicitPermit or EtherVerdict.Permit;
        if (!ctx.DryRun)
        {
            dp.Counters[allow ? Permitted : Denied]++;
            if (ace >= 0 && ace < dp.AclHits.Length) dp.AclHits[ace]++;
        }
        if (ctx.Trace is not null)
        {
            IReadOnlyList<string> config = ImplicitConfig;
            if (ace >= 0)
            {
                var info = policy.Ace(ace);
                config = [info.AccessGroupLine, info.AceLine];
            }
            ctx.Trace.Add(Type, "", allow, config, MacInfo);
        }
        return allow ? StageResult.Continue : ctx.DropFrame(Packets.DropReason.L2Acl);
    }
}
