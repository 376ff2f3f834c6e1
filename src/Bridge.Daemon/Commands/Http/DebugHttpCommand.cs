using System.Globalization;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Http;

namespace Bridge.Daemon.Commands.Http;

/// <summary>
/// <c>debug http [LEVEL]</c> streams the HTTPS server's debug lines (level 1: server state,
/// refusals, logins and requests; 10: connections and TLS; 255: request headers) to the session
/// that asked, until Ctrl+C or <c>undebug all</c> / <c>undebug http</c> from any session.
/// </summary>
public sealed class DebugHttpCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var http = root.Keyword("debug", "Debugging functions (see also 'undebug')")
            .Keyword("http", "HTTP server debug lines").Runs(Debug, Privilege.Monitor);
        http.Param(ParamType.Number(1, 255), "level", "Debug level (default 1)").Runs(Debug, Privilege.Monitor);
        var undebug = root.Keyword("undebug", "Disable debugging functions");
        undebug.Keyword("all", "Disable all debugging").Runs(Undebug, Privilege.Monitor);
        undebug.Keyword("http", "Disable HTTP server debugging").Runs(Undebug, Privilege.Monitor);
    }

    private static async Task<CommandResult> Debug(CommandContext ctx)
    {
        int level = ctx.Get("level") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : HttpDebugFeed.Basic;
        var state = HttpServerState.For(ctx.Runtime);
        using var subscription = state.Debug.Subscribe(level);
        await ctx.Stream($"debug http enabled at level {level}.\n").ConfigureAwait(false);
        try
        {
            await foreach (string line in subscription.ReadAllAsync(ctx.Cancellation).ConfigureAwait(false))
            {
                await ctx.Stream(line + "\n").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ctx.Cancellation.IsCancellationRequested)
        {
            // Ctrl+C: the normal way out.
        }
        return CommandResult.Ok("debug http disabled.\n");
    }

    private static CommandResult Undebug(CommandContext ctx)
    {
        HttpServerState.For(ctx.Runtime).Debug.StopAll();
        return CommandResult.Ok("");
    }
}
