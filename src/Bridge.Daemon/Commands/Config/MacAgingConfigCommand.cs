using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary><c>mac-address-table aging-time MINUTES</c> (5-720, default 5).</summary>
public sealed class MacAgingConfigCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        root.Keyword("mac-address-table", "Configure the MAC address table")
            .Keyword("aging-time", "Set the timeout for MAC address table entries")
            .Param(ParamType.Number(5, 720), "minutes", "Aging time in minutes")
            .Runs(Run, Privilege.Admin);

    private static Task<CommandResult> Run(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => l.StartsWith("mac-address-table aging-time ", StringComparison.Ordinal));
            draft.AppendTyped(ctx.Parsed);
            return null;
        });
}
