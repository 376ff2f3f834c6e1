using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>
/// A dialog command for tests only, shaped like FTD's <c>copy</c>: two questions with defaults in
/// brackets (the second secret), then a line saying what was answered.
/// </summary>
public sealed class AskCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        root.Keyword("ask", "Ask two questions").Runs(async ctx =>
        {
            string name = await ctx.Ask("Source capture name [CAPI]? ");
            if (name.Length == 0) name = "CAPI";
            string secret = await ctx.Ask("Password: ", secret: true);
            return CommandResult.Ok($"name={name} secret={secret} interactive={ctx.Interactive}\n");
        }, Privilege.Monitor);
}
