using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridge.Daemon.Admin;

public enum RequestMode
{
    Exec,
    Help,
    Complete,
}

/// <summary>One request line of the admin protocol (PROTOCOL.md).</summary>
internal sealed record AdminRequest(JsonNode? Id, string Command, bool Json, RequestMode Mode, bool Cancel, bool Interactive = false, string? Answer = null)
{
    /// <summary>The id as a dictionary key (its JSON text, so 1 and "1" stay distinct).</summary>
    public string IdKey => Id?.ToJsonString() ?? "null";

    public static AdminRequest Parse(byte[] line)
    {
        if (JsonNode.Parse(line) is not JsonObject o) throw new FormatException("a request is a JSON object");
        o.TryGetPropertyValue("id", out var id);
        if (id is not null && id.GetValueKind() is not (JsonValueKind.Number or JsonValueKind.String))
        {
            throw new FormatException("\"id\" must be a number or a string");
        }
        bool cancel = o["cancel"] is JsonValue c && c.GetValueKind() == JsonValueKind.True;
        if (cancel) return new AdminRequest(id, "", false, RequestMode.Exec, true);
        if (o.TryGetPropertyValue("answer", out var answer))
        {
            if (answer is not JsonValue a || a.GetValueKind() != JsonValueKind.String) throw new FormatException("\"answer\" must be a string");
            return new AdminRequest(id, "", false, RequestMode.Exec, false, Answer: a.GetValue<string>());
        }
        bool interactive = o["interactive"] is JsonValue i && i.GetValueKind() == JsonValueKind.True;
        if (o["command"] is not JsonValue cmd || cmd.GetValueKind() != JsonValueKind.String) throw new FormatException("\"command\" (a string) is required");
        string format = Text(o, "format", "text");
        string mode = Text(o, "mode", "exec");
        return new AdminRequest(
            id,
            cmd.GetValue<string>(),
            format switch
            {
                "text" => false,
                "json" => true,
                _ => throw new FormatException($"\"format\" is text or json, not '{format}'"),
            },
            mode switch
            {
                "exec" => RequestMode.Exec,
                "help" => RequestMode.Help,
                "complete" => RequestMode.Complete,
                _ => throw new FormatException($"\"mode\" is exec, help or complete, not '{mode}'"),
            },
            false,
            interactive);
    }

    private static string Text(JsonObject o, string key, string fallback)
    {
        var node = o[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw new FormatException($"\"{key}\" must be a string");
    }
}
