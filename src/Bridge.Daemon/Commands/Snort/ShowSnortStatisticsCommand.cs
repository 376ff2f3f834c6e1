using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Snort;

/// <summary>
/// <c>show snort statistics</c>: FTD's packet and flow counters of the Snort hand-off, then the
/// rule set (loaded, rejected, when) and the alerts raised. Only what Bridge counts is shown.
/// </summary>
public sealed class ShowSnortStatisticsCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        SnortWords.Show(root).Keyword("statistics", "Display Snort packet and flow counters").Runs(Run, Privilege.Monitor);

    private static CommandResult Run(CommandContext ctx)
    {
        var rules = ctx.Runtime.Rules;
        var c = SnortCounters.Read(ctx.Runtime.Workers, rules);
        var sb = new StringBuilder();
        sb.Append("Packet Counters:\n");
        Row(sb, "Passed Packets", c.PassedPackets);
        Row(sb, "Blocked Packets", c.BlockedPackets);
        Row(sb, "Injected Packets", c.InjectedPackets);
        Row(sb, "Packets bypassed (Snort Down)", c.BypassedDown);
        Row(sb, "Packets bypassed (Snort Busy)", c.BypassedBusy);
        Row(sb, "Packets dropped (Snort Down)", c.DroppedDown);
        Row(sb, "Packets dropped (Snort Busy)", c.DroppedBusy);
        sb.Append("\nFlow Counters:\n");
        Row(sb, "Fast-Forwarded Flows", c.FastForwardedFlows);
        Row(sb, "Blacklisted Flows", c.BlacklistedFlows);
        sb.Append("\nRules Engine:\n");
        var config = ctx.Runtime.Snapshot.Config;
        sb.Append("  Failure policy: ").Append(config.SnortFailPolicy == SnortFailPolicy.FailOpen ? "fail-open" : "fail-close").Append('\n');
        Row(sb, "Engine faults", c.EngineFaults);
        if (rules is null)
        {
            sb.Append(config.SnortRules.Count > 0
                ? "  Engine down: the configured rules are not loaded (see the log; 'snort reload')\n"
                : "  No rules loaded (configure 'snort rules PATH')\n");
        }
        else
        {
            Row(sb, "Rules loaded", rules.Report.Loaded);
            Row(sb, "Rules rejected", rules.Report.Rejected);
            Row(sb, "Alerts", c.Alerts);
            if (ctx.Runtime.RulesLoadedAt is { } at)
                sb.Append("  Loaded at ").Append(AsaTime.Format(at)).Append('\n');
        }
        var json = new JsonObject
        {
            ["passedPackets"] = c.PassedPackets,
            ["blockedPackets"] = c.BlockedPackets,
            ["injectedPackets"] = c.InjectedPackets,
            ["bypassedDown"] = c.BypassedDown,
            ["bypassedBusy"] = c.BypassedBusy,
            ["droppedDown"] = c.DroppedDown,
            ["droppedBusy"] = c.DroppedBusy,
            ["engineFaults"] = c.EngineFaults,
            ["failPolicy"] = config.SnortFailPolicy == SnortFailPolicy.FailOpen ? "fail-open" : "fail-close",
            ["fastForwardedFlows"] = c.FastForwardedFlows,
            ["blacklistedFlows"] = c.BlacklistedFlows,
            ["alerts"] = c.Alerts,
            ["rulesLoaded"] = rules?.Report.Loaded,
            ["rulesRejected"] = rules?.Report.Rejected,
            ["loadedAt"] = ctx.Runtime.RulesLoadedAt?.ToString("o", CultureInfo.InvariantCulture),
        };
        return CommandResult.Ok(sb.ToString(), json);
    }

    // FTD aligns the numbers right in a 60-column line.
    private static void Row(StringBuilder sb, string label, long value) =>
        sb.Append("  ").Append(label.PadRight(45)).Append(value.ToString(CultureInfo.InvariantCulture).PadLeft(13)).Append('\n');
}

/// <summary>The <c>snort</c> keyword under <c>show</c>, shared by the snort show commands.</summary>
internal static class SnortWords
{
    public static GrammarNode Show(GrammarNode root) => CommonWords.Show(root).Keyword("snort", "Snort (rules engine) information");
}
