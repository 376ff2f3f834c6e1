using System.Globalization;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;

namespace Bridge.Daemon.Commands.Clear;

/// <summary>
/// <c>clear conn [address A]</c>. A flow-table shard belongs to its worker thread, so the removal
/// runs on each worker between batches (<see cref="Runtime.IBridgeRuntime.RunOnWorkers"/>).
/// </summary>
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
        IpAddr? address = ctx.Get("ip") is { } ip ? IpAddr.Parse(ip) : null;
        int n = 0;
        await ctx.Runtime.RunOnWorkers(dp => Interlocked.Add(ref n, dp.Flows.RemoveMatching(address)), ctx.Cancellation).ConfigureAwait(false);
        return CommandResult.Ok(string.Create(CultureInfo.InvariantCulture, $"{n} connection(s) deleted.\n"));
    }
}
