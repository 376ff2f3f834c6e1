using System.Globalization;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;

namespace Bridge.Daemon.Commands.Clear;

/// <summary>
/// The data plane's side of <c>clear conn</c>. A flow table shard belongs to its worker thread and
/// is not safe to change from another thread, so the runtime must run the removal on each worker
/// (between batches) and report how many flows went. Implemented by the runtime, not by command code.
/// </summary>
public interface IConnectionClearing
{
    /// <summary>Removes every connection, or those with <paramref name="address"/> at either end; returns how many.</summary>
    Task<int> ClearConnectionsAsync(IpAddr? address, CancellationToken cancellation);
}

/// <summary><c>clear conn [address A]</c>, through <see cref="IConnectionClearing"/>.</summary>
public sealed class ClearConnCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var conn = CommonWords.Clear(root).Keyword("conn", "Clear connections").Runs(Run, Privilege.Admin);
        conn.Keyword("address", "Clear connections with this IP address at either end")
            .Param(ParamType.IpAddress, "ip", "IP address").Runs(Run, Privilege.Admin);
    }

    private static async Task<CommandResult> Run(CommandContext ctx)
    {
        if (ctx.Runtime is not IConnectionClearing clearing)
        {
            return CommandResult.Fail("ERROR: clear conn is not available: this data plane cannot remove connections from its workers");
        }
        IpAddr? address = ctx.Get("ip") is { } ip ? IpAddr.Parse(ip) : null;
        int n = await clearing.ClearConnectionsAsync(address, ctx.Cancellation).ConfigureAwait(false);
        return CommandResult.Ok(string.Create(CultureInfo.InvariantCulture, $"{n} connection(s) deleted.\n"));
    }
}
