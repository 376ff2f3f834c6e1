using Bridge.Pipeline.Events;
using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Stages.AccessList;

/// <summary>
/// ACCESS-LIST log: the access-group policy for the first packet of a connection. First match
/// wins; <c>trust</c> takes the fast path without inspection; when an access-group is bound and no
/// ACE matches, the implicit deny drops (<c>acl-drop</c>). With no access-group bound at all the
/// bridge permits everything (an inline tap that passes traffic until told otherwise).
/// </summary>
public sealed class AccessListStage : Stage
{
    public override string Type => "ACCESS-LIST";

    public override bool FirstPacketOnly => true;

    private const string Subtype = "log";

    private static readonly int Permitted = CounterRegistry.Declare("ACCESS-LIST", "permitted", "First packets permitted by an ACE").Index;
    private static readonly int TrustedC = CounterRegistry.Declare("ACCESS-LIST", "trusted", "First packets matched by a trust ACE (fast path, no inspection)").Index;
    private static readonly int Denied = CounterRegistry.Declare("ACCESS-LIST", "denied", "First packets denied by an ACE or the implicit deny").Index;
    private static readonly int NoGroup = CounterRegistry.Declare("ACCESS-LIST", "no_access_group", "First packets passed because no access-group is bound").Index;

    private static readonly string[] ImplicitRule = ["Implicit Rule"];
    private static readonly string[] PermitAllInfo = ["No access-group is bound: the bridge permits all traffic"];
    private static readonly string[] SnortInfo = ["This packet will be sent to snort for additional processing where a verdict will be reached"];
    private static readonly string[] TrustInfo = ["Trusted: the connection is fast-pathed without inspection"];

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        // Stateless packets (ICMP errors, neighbour discovery) are judged by INSPECT, like ARP is by the L2 rule.
        if (!ctx.Info.IsIp || ctx.ExistingFlow || ctx.Stateless) return StageResult.Continue;

        var policy = dp.Snapshot.Policy;
        if (!policy.HasAccessGroup(ctx.IngressIf))
        {
            if (!ctx.DryRun) dp.Counters[NoGroup]++;
            ctx.Trace?.Add(Type, Subtype, true, info: PermitAllInfo);
            return StageResult.Continue;
        }

        var key = AclKeys.FromFrame(ctx.Info);
        if (!key.HasPorts && ctx.HasKey && ctx.Info.IsFragment && (ctx.Info.Protocol == IpProtocol.Tcp || ctx.Info.Protocol == IpProtocol.Udp))
        {
            // A non-first fragment with no connection yet: judge it by the ports of its first fragment.
            key.SrcPort = ctx.SrcIsA ? ctx.Key.PortA : ctx.Key.PortB;
            key.DstPort = ctx.SrcIsA ? ctx.Key.PortB : ctx.Key.PortA;
            key.HasPorts = true;
        }

        int ace = policy.Match(ctx.IngressIf, key);
        if (ace < 0)
        {
            if (!ctx.DryRun)
            {
                dp.Counters[Denied]++;
                ReportDeny(ref ctx, dp, -1);
            }
            ctx.Trace?.Add(Type, Subtype, false, ImplicitRule);
            return ctx.DropFrame(DropReason.AclDrop);
        }

        if (!ctx.DryRun && ace < dp.AclHits.Length) dp.AclHits[ace]++;
        var action = policy.Ace(ace).Action;
        ctx.AceIndex = ace;
        if (ctx.Trace is not null)
        {
            var info = policy.Ace(ace);
            var config = new List<string>(2 + info.Remarks.Count) { info.AccessGroupLine, info.AceLine };
            config.AddRange(info.Remarks);
            string[] extra = action switch
            {
                AceAction.Deny => [],
                AceAction.Trust => TrustInfo,
                _ => dp.Inspector is not null ? SnortInfo : [],
            };
            ctx.Trace.Add(Type, Subtype, action != AceAction.Deny, config, extra);
        }
        switch (action)
        {
            case AceAction.Deny:
                if (!ctx.DryRun)
                {
                    dp.Counters[Denied]++;
                    ReportDeny(ref ctx, dp, ace);
                }
                return ctx.DropFrame(DropReason.AclDrop);
            case AceAction.Trust:
                if (!ctx.DryRun) dp.Counters[TrustedC]++;
                ctx.Trusted = true;
                return StageResult.Continue;
            default:
                if (!ctx.DryRun) dp.Counters[Permitted]++;
                return StageResult.Continue;
        }
    }

    // ASA's 106023: which packet, from where to where, denied by which entry.
    private static void ReportDeny(ref PacketContext ctx, DataPath dp, int ace)
    {
        if (!ctx.HasKey) return;
        dp.Events.TryWrite(new ConnEvent
        {
            Kind = ConnEventKind.Deny,
            TimeNs = ctx.NowNs,
            Key = ctx.Key,
            InitiatorIsA = ctx.SrcIsA,
            InitiatorIf = ctx.IngressIf,
            ResponderIf = ctx.EgressIf,
            AceIndex = ace,
            IcmpType = ctx.Info.IcmpType,
            IcmpCode = ctx.Info.IcmpCode,
        });
    }
}
