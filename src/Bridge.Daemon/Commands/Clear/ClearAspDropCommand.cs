using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;

namespace Bridge.Daemon.Commands.Clear;

/// <summary>
/// <c>clear asp drop [frame|flow]</c>. Each worker's drop counters are plain long arrays it
/// increments without atomics; the control thread writes zeros into them. An increment racing
/// with the clear may survive it or be lost, which is acceptable for counters and keeps the data
/// path free of atomics and locks.
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

    private static CommandResult Run(CommandContext ctx)
    {
        bool frame = !ctx.Has("flow"), flow = !ctx.Has("frame");
        var now = DateTimeOffset.UtcNow;
        foreach (var w in ctx.Runtime.Workers)
        {
            if (frame) Array.Clear(w.FrameDrops);
            if (flow) Array.Clear(w.FlowDrops);
        }
        if (frame) ctx.State.RecordClearing(DropSection.Frame, now, ctx.Session.User);
        if (flow) ctx.State.RecordClearing(DropSection.Flow, now, ctx.Session.User);
        return CommandResult.Ok("");
    }
}
