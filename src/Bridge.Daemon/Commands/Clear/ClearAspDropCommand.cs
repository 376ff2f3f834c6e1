using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;

namespace Bridge.Daemon.Commands.Clear;

/// <summary>
/// <c>clear asp drop [frame|flow]</c>. Each worker's drop counters are plain long arrays only it
/// writes, so the zeroing runs on each worker's own thread between batches (RunOnWorkers): no
/// increment is lost to the clear and the data path stays free of atomics and locks.
/// </summary>
public sealed class ClearAspDropCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var drop = CommonWords.Clear(root).Keyword("asp", "Clear accelerated security path counters")
            .Keyword("drop", "Clear accelerated security path drop counters").Runs(Run, Privilege.Admin);
        drop.Keyword("frame", "Clear frame drop counters only").Runs(Run, Privilege.Admin);
        drop.Keyword("flow", "Clear flow drop counters only").Runs(Run, Privilege.Admin);
    }

    private static async Task<CommandResult> Run(CommandContext ctx)
    {
        bool frame = !ctx.Has("flow"), flow = !ctx.Has("frame");
        var now = DateTimeOffset.UtcNow;
        await ctx.Runtime.RunOnWorkers(w =>
        {
            if (frame) Array.Clear(w.FrameDrops);
            if (flow) Array.Clear(w.FlowDrops);
        }, ctx.Cancellation).ConfigureAwait(false);
        if (frame) ctx.State.RecordClearing(DropSection.Frame, now, ctx.Session.User);
        if (flow) ctx.State.RecordClearing(DropSection.Flow, now, ctx.Session.User);
        return CommandResult.Ok("");
    }
}
