using System.Text.Json.Nodes;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>The fields of an admin-socket response that configuration tests read.</summary>
internal static class Responses
{
    public static int Status(JsonObject r) => r["status"]!.GetValue<int>();

    /// <summary>The session's mode after the request (exec, config, config-if, …).</summary>
    public static string Mode(JsonObject r) => r["mode"]!.GetValue<string>();

    public static string Text(JsonObject r) => r["text"]!.GetValue<string>();
}
