using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Snort;

/// <summary>
/// <c>snort reload</c>: re-reads the configured rule files and installs the new rule set on every
/// worker (flowbits, thresholds and hit counts restart, as on a Snort reload); prints the load
/// summary. A missing file changes nothing.
/// </summary>
public sealed class SnortReloadCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        root.Keyword("snort", "Snort (rules engine) control")
            .Keyword("reload", "Re-read the rule files and install them").Runs(ctx =>
            {
                var result = ctx.Runtime.ReloadRules();
                return result.Applied ? CommandResult.Ok(result.Message) : CommandResult.Fail("ERROR: " + result.Message);
            }, Privilege.Admin);
}
