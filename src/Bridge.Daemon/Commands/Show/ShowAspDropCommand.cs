using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;
using Bridge.Pipeline.Show;

namespace Bridge.Daemon.Commands.Show;

/// <summary><c>show asp drop [frame|flow]</c>, rendered by <see cref="ShowAspDrop"/> with each section's last clearing.</summary>
public sealed class ShowAspDropCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var drop = CommonWords.Show(root).Keyword("asp", "Accelerated Security Path information")
            .Keyword("drop", "Show accelerated security path dropped packets").Runs(Run, Privilege.Monitor);
        drop.Keyword("frame", "Show frame drops only").Runs(Run, Privilege.Monitor);
        drop.Keyword("flow", "Show flow drops only").Runs(Run, Privilege.Monitor);
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var workers = ctx.Runtime.Workers;
        bool frame = !ctx.Has("flow"), flow = !ctx.Has("frame");
        string text = "";
        if (frame) text += ShowAspDrop.Render(workers, ctx.State.LastClearing(DropSection.Frame), DropSection.Frame);
        if (frame && flow) text += "\n";
        if (flow) text += ShowAspDrop.Render(workers, ctx.State.LastClearing(DropSection.Flow), DropSection.Flow);
        var json = new JsonObject();
        if (frame) json["frame"] = Section(workers, DropSection.Frame, ctx.State);
        if (flow) json["flow"] = Section(workers, DropSection.Flow, ctx.State);
        return CommandResult.Ok(text, json);
    }

    private static JsonObject Section(IReadOnlyList<Pipeline.Core.DataPath> workers, DropSection section, ControlPlaneState state)
    {
        var counts = ShowAspDrop.Sum(workers, section);
        var drops = new JsonObject();
        for (int i = 1; i < counts.Length; i++)
        {
            if (counts[i] != 0) drops[DropCatalogue.Keyword((DropReason)i)] = counts[i];
        }
        return new JsonObject { ["drops"] = drops, ["lastClearing"] = state.LastClearing(section) };
    }
}
