using System.Text.Json.Nodes;

namespace Bridge.Daemon.Commands;

/// <summary>What a command answers: exit status (0 ok, 1 error), text as FTD prints it, and the same data as JSON for <c>--json</c>.</summary>
public sealed record CommandResult(int Status, string Text, JsonNode? Json = null)
{
    public static CommandResult Ok(string text, JsonNode? json = null) => new(0, text, json);

    public static CommandResult Fail(string text) => new(1, text.EndsWith('\n') || text.Length == 0 ? text : text + "\n");
}
