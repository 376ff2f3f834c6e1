using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Runtime;

namespace Bridge.Daemon.Commands.Show;

/// <summary><c>show version</c>: Bridge version, uptime, workers and ports, framed like FTD's banner.</summary>
public sealed class ShowVersionCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        CommonWords.Show(root).Keyword("version", "Display the system software version, uptime, workers and ports").Runs(Run, Privilege.Monitor);

    public static string Version { get; } =
        typeof(IBridgeRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(IBridgeRuntime).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    private static CommandResult Run(CommandContext ctx)
    {
        var rt = ctx.Runtime;
        string host = rt.Snapshot.Config.Hostname;
        var now = DateTimeOffset.UtcNow;
        var up = now - rt.StartedAt;
        var sb = new StringBuilder();
        string title = $"[ {host} ]";
        int side = Math.Max(3, (51 - title.Length) / 2);
        sb.Append(new string('-', side)).Append(title).Append(new string('-', Math.Max(3, 51 - side - title.Length))).Append('\n');
        Row(sb, "Model", "Bridge inline L2 bridge (transparent mode)");
        Row(sb, "Version", Version);
        Row(sb, "Started", rt.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        Row(sb, "Configuration", rt.ConfigPath);
        Row(sb, "Workers", rt.Workers.Count.ToString(CultureInfo.InvariantCulture));
        sb.Append(new string('-', 51)).Append('\n');
        sb.Append("Bridge Software Version ").Append(Version).Append('\n');
        sb.Append('\n').Append(host).Append(" up ").Append(Uptime(up)).Append('\n');
        sb.Append('\n').Append("Hardware ports:\n");
        var ports = new JsonArray();
        for (int i = 0; i < rt.Ports.Count; i++)
        {
            var p = rt.Ports[i];
            sb.Append(CultureInfo.InvariantCulture, $" {i}: {p.Device}: driver {p.Driver}, link {(p.LinkUp ? "up" : "down")}, MTU {p.Mtu}, MAC {p.Mac}, fanout members {p.Members}");
            if (p.Settings.Length > 0) sb.Append(", ").Append(p.Settings);
            sb.Append('\n');
            ports.Add(new JsonObject
            {
                ["device"] = p.Device, ["driver"] = p.Driver, ["linkUp"] = p.LinkUp, ["mtu"] = p.Mtu,
                ["mac"] = p.Mac, ["members"] = p.Members, ["settings"] = p.Settings,
            });
        }
        var json = new JsonObject
        {
            ["hostname"] = host,
            ["version"] = Version,
            ["startedAt"] = rt.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["uptimeSeconds"] = (long)up.TotalSeconds,
            ["configPath"] = rt.ConfigPath,
            ["workers"] = rt.Workers.Count,
            ["ports"] = ports,
        };
        return CommandResult.Ok(sb.ToString(), json);
    }

    private static void Row(StringBuilder sb, string label, string value) => sb.Append(label.PadRight(26)).Append(": ").Append(value).Append('\n');

    /// <summary>ASA's uptime wording: <c>2 days 3 hours</c>, <c>5 mins 12 secs</c>.</summary>
    public static string Uptime(TimeSpan up)
    {
        if (up < TimeSpan.Zero) up = TimeSpan.Zero;
        var parts = new List<string>();
        if (up.Days > 0) parts.Add(Plural(up.Days, "day"));
        if (up.Hours > 0) parts.Add(Plural(up.Hours, "hour"));
        if (up.Days == 0 && up.Minutes > 0) parts.Add(Plural(up.Minutes, "min"));
        if (up.Days == 0 && up.Hours == 0) parts.Add(Plural(up.Seconds, "sec"));
        return string.Join(' ', parts);
    }

    private static string Plural(int n, string unit) => n.ToString(CultureInfo.InvariantCulture) + " " + unit + (n == 1 ? "" : "s");
}
