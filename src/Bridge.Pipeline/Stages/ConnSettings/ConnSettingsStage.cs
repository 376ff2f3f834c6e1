using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;

namespace Bridge.Pipeline.Stages.ConnSettings;

/// <summary>
/// CONN-SETTINGS: connection limits for a new connection. The limit is per worker shard (each
/// worker owns its share of the table), so the effective box-wide limit is the sum of the shards.
/// </summary>
public sealed class ConnSettingsStage : Stage
{
    public override string Type => "CONN-SETTINGS";

    private static readonly int Limited = CounterRegistry.Declare("CONN-SETTINGS", "conn_limit", "New connections refused because the connection limit was reached").Index;

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        if (!ctx.Info.IsIp || ctx.ExistingFlow || ctx.Stateless) return StageResult.Continue;
        int limit = dp.Snapshot.ConnLimit;
        bool over = limit > 0 && dp.Flows.Count >= limit;
        if (ctx.Trace is not null)
        {
            string[] config = limit > 0 ? ["class-map class-default", " match any", "policy-map global_policy", " class class-default", $"  set connection conn-max {limit}", "service-policy global_policy global"] : [];
            string[] info = over ? [$"Connection limit {limit} reached ({dp.Flows.Count} in use)"] : [];
            ctx.Trace.Add(Type, "", !over, config, info);
        }
        if (!over) return StageResult.Continue;
        if (!ctx.DryRun) dp.Counters[Limited]++;
        return ctx.DropFlow(DropReason.ConnLimit);
    }
}
