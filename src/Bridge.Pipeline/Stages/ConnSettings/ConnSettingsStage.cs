using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Stages.Inspect;

namespace Bridge.Pipeline.Stages.ConnSettings;

/// <summary>
/// CONN-SETTINGS: the global service policy's connection limits for a new connection.
/// <c>conn-max</c> caps connections (<c>conn-limit</c>); <c>embryonic-conn-max</c> caps TCP
/// connections whose handshake has not finished, so a SYN flood from random sources holds at most
/// that many entries while established connections keep flowing (<c>tcp-conn-limit</c>). Limits
/// are box-wide; each worker enforces its share of its own table.
/// </summary>
public sealed class ConnSettingsStage : Stage
{
    public override string Type => "CONN-SETTINGS";

    public override bool FirstPacketOnly => true;

    public static readonly int Limited = CounterRegistry.Declare("CONN-SETTINGS", "conn_limit", "New connections refused because conn-max was reached").Index;
    public static readonly int EmbryonicLimited = CounterRegistry.Declare("CONN-SETTINGS", "embryonic_limit", "New TCP connections refused because embryonic-conn-max was reached").Index;

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        if (!ctx.Info.IsIp || ctx.ExistingFlow || ctx.Stateless) return StageResult.Continue;
        var settings = dp.Snapshot.Connection;
        if (settings.ConnMax == 0 && settings.EmbryonicConnMax == 0)
        {
            // FTD shows the phase for every new connection, with the service policy that applied (none here).
            ctx.Trace?.Add(Type, "", true, ServicePolicyLines(dp), []);
            return StageResult.Continue;
        }

        int connShare = dp.ShareOf(settings.ConnMax);
        int embryonicShare = dp.ShareOf(settings.EmbryonicConnMax);
        // Only a real SYN opens an embryonic connection; another first packet is INSPECT's to refuse (tcp-not-syn).
        bool overConn = connShare > 0 && dp.Flows.Count >= connShare;
        bool overEmbryonic = !overConn && embryonicShare > 0 && ctx.Info.IsTcp
            && TcpTracker.CheckFirst(ctx.Info) == DropReason.None && dp.Flows.Embryonic >= embryonicShare;
        if (ctx.Trace is not null) Trace(ref ctx, dp, overConn, overEmbryonic);
        if (overConn)
        {
            if (!ctx.DryRun) dp.Counters[Limited]++;
            return ctx.DropFlow(DropReason.ConnLimit);
        }
        if (overEmbryonic)
        {
            if (!ctx.DryRun) dp.Counters[EmbryonicLimited]++;
            return ctx.DropFlow(DropReason.TcpConnLimit);
        }
        return StageResult.Continue;
    }

    private void Trace(ref PacketContext ctx, DataPath dp, bool overConn, bool overEmbryonic)
    {
        var config = dp.Snapshot.Config;
        string[] info = overConn
            ? [$"Connection limit reached: {dp.Flows.Count} connections in this worker's share of conn-max {config.ServicePolicy.Connection.ConnMax}"]
            : overEmbryonic
                ? [$"Embryonic connection limit reached: {dp.Flows.Embryonic} in this worker's share of embryonic-conn-max {config.ServicePolicy.Connection.EmbryonicConnMax}"]
                : [];
        ctx.Trace!.Add(Type, "", !(overConn || overEmbryonic), ServicePolicyLines(dp), info);
    }

    // The global policy-map as the running config prints it, then its binding.
    private static string[] ServicePolicyLines(DataPath dp)
    {
        var sp = dp.Snapshot.Config.ServicePolicy;
        if (sp.GlobalPolicy is not { } name || sp.Find(name) is not { } map) return [];
        var lines = new List<string>(map.Lines()) { $"service-policy {name} global" };
        return lines.ToArray();
    }
}
