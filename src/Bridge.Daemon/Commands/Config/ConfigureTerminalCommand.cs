using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// <c>configure terminal</c> … <c>end</c> (or <c>exit</c>). FTD's <c>&gt;</c> prompt takes the
/// configuration lines directly and so does Bridge; the mode only changes the client's prompt, so
/// both habits work. <c>end</c> also leaves a sub-mode (<see cref="ConfigBlockEditor"/> registers
/// <c>exit</c> and <c>end</c> in each).
/// </summary>
public sealed class ConfigureTerminalCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        root.Keyword("configure", "Configuration mode")
            .Keyword("terminal", "Configure from the terminal")
            .Runs(ctx => Mode(ctx, true), Privilege.Admin);
        root.Keyword("end", "Exit from configure mode").Runs(ctx => Mode(ctx, false), Privilege.Monitor);
        root.Keyword("exit", "Exit from configure mode").Runs(ctx => Mode(ctx, false), Privilege.Monitor);
    }

    internal static CommandResult Mode(CommandContext ctx, bool config)
    {
        ctx.Session.ConfigMode = config;
        ctx.Session.Block = null;
        return CommandResult.Ok("");
    }
}
