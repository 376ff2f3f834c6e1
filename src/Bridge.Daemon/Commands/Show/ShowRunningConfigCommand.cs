using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Show;

/// <summary>
/// <c>show running-config [SECTION]</c>: the canonical text of the running config. The section
/// keywords come from <see cref="BridgeConfig.Sections"/>, so a section added there is a command here.
/// </summary>
public sealed class ShowRunningConfigCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var run = CommonWords.Show(root).Keyword("running-config", "Show the current operating configuration").Runs(Run, Privilege.Monitor);
        foreach (var section in BridgeConfig.Sections)
        {
            run.Keyword(section, $"Show running {section} configuration").Runs(Run, Privilege.Monitor);
        }
    }

    private static CommandResult Run(CommandContext ctx)
    {
        string? section = null;
        foreach (var s in BridgeConfig.Sections)
        {
            if (ctx.Has(s)) section = s;
        }
        string text = ctx.Runtime.Snapshot.Config.ToText(section);
        return CommandResult.Ok(text, new JsonObject { ["section"] = section, ["text"] = text });
    }
}
