using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Rules;

namespace Bridge.Daemon.Commands.Snort;

/// <summary>
/// <c>show snort rules [sid N]</c> (beyond FTD, whose rules live on the FMC): the rules that
/// matched since the rule set was loaded, most hits first, with their action and message; with
/// <c>sid</c>, every rule of that sid with where it was read from and its hit count.
/// </summary>
public sealed class ShowSnortRulesCommand : ICommandModule
{
    /// <summary>Rules listed without <c>sid</c>: the busiest ones are what an operator looks for.</summary>
    public const int Top = 50;

    public void Register(GrammarNode root)
    {
        var rules = SnortWords.Show(root).Keyword("rules", "Display the loaded rules that matched, with hit counts").Runs(Run, Privilege.Monitor);
        rules.Keyword("sid", "Display the rules of one signature id")
            .Param(ParamType.Number(1, uint.MaxValue), "sid", "Signature id").Runs(Run, Privilege.Monitor);
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var set = ctx.Runtime.Rules;
        if (set is null) return CommandResult.Fail("ERROR: no rules loaded (configure 'snort rules PATH')");
        var counters = SnortCounters.Read(ctx.Runtime.Workers, set);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Rules: {set.Report.Loaded} loaded, {set.Report.Rejected} rejected");
        if (ctx.Runtime.RulesLoadedAt is { } at)
            sb.Append(", loaded at ").Append(AsaTime.Format(at));
        sb.Append('\n');
        var rows = new JsonArray();
        if (ctx.Get("sid") is { } sidText)
        {
            uint sid = uint.Parse(sidText, CultureInfo.InvariantCulture);
            int found = 0;
            for (int i = 0; i < set.Rules.Count; i++)
            {
                var r = set.Rules[i];
                if (r.Sid != sid) continue;
                found++;
                long hits = counters.Hits[i];
                sb.Append(CultureInfo.InvariantCulture, $"{Id(r)} {Action(r)} \"{r.Message}\"\n");
                sb.Append("  origin: ").Append(r.Origin).Append('\n');
                sb.Append(CultureInfo.InvariantCulture, $"  classtype: {(r.Classtype.Length > 0 ? r.Classtype : "none")}, priority: {r.Priority}\n");
                sb.Append(CultureInfo.InvariantCulture, $"  hits: {hits}\n");
                rows.Add(Row(r, hits));
            }
            if (found == 0) return CommandResult.Fail($"ERROR: no loaded rule has sid {sid}");
            return CommandResult.Ok(sb.ToString(), new JsonObject { ["rules"] = rows });
        }

        var order = new List<int>();
        for (int i = 0; i < counters.Hits.Length; i++)
        {
            if (counters.Hits[i] > 0) order.Add(i);
        }
        order.Sort((a, b) => counters.Hits[b] != counters.Hits[a] ? counters.Hits[b].CompareTo(counters.Hits[a]) : a.CompareTo(b));
        if (order.Count == 0)
        {
            sb.Append("No rule has matched since the rules were loaded\n");
            return CommandResult.Ok(sb.ToString(), new JsonObject { ["rules"] = rows });
        }
        sb.Append(CultureInfo.InvariantCulture, $"{"gid:sid:rev",-20}{"action",-8}{"hits",12}  message\n");
        foreach (int i in order.Take(Top))
        {
            var r = set.Rules[i];
            sb.Append(CultureInfo.InvariantCulture, $"{Id(r),-20}{Action(r),-8}{counters.Hits[i],12}  {r.Message}\n");
            rows.Add(Row(r, counters.Hits[i]));
        }
        if (order.Count > Top) sb.Append(CultureInfo.InvariantCulture, $"({order.Count - Top} more rules matched; 'show snort rules sid N' for one)\n");
        return CommandResult.Ok(sb.ToString(), new JsonObject { ["rules"] = rows });
    }

    private static string Id(Rule r) => $"{r.Gid}:{r.Sid}:{r.Rev}";

    private static string Action(Rule r) => r.Action.ToString().ToLowerInvariant();

    private static JsonObject Row(Rule r, long hits) => new()
    {
        ["gid"] = r.Gid,
        ["sid"] = r.Sid,
        ["rev"] = r.Rev,
        ["action"] = Action(r),
        ["message"] = r.Message,
        ["origin"] = r.Origin,
        ["hits"] = hits,
    };
}
