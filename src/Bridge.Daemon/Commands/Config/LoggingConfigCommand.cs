using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// The event outputs: <c>[no] logging enable</c>, <c>[no] logging trap LEVEL</c>,
/// <c>[no] logging host IFNAME IP [udp[/PORT] | tcp[/PORT]]</c> and
/// <c>[no] logging file json [KBYTES]</c>. Each edits the running config's text and goes through the
/// parser (which checks names, addresses and ranges) like every configuration command.
/// </summary>
public sealed class LoggingConfigCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        Register(root.Keyword("logging", "Configure event logging (syslog servers, events.json)"), negated: false);
        Register(CommonWords.No(root).Keyword("logging", "Turn off event logging settings"), negated: true);
    }

    private static void Register(GrammarNode logging, bool negated)
    {
        logging.Keyword("enable", "Enable the configured logging outputs").Runs(negated ? Disable : Enable, Privilege.Admin);

        var trap = logging.Keyword("trap", "Most verbose severity sent to the syslog servers");
        if (negated) trap.Runs(NoTrap, Privilege.Admin);
        for (int level = 0; level < LoggingSettings.LevelNames.Count; level++)
            trap.Keyword(LoggingSettings.LevelNames[level], $"Severity {level} and more severe").Runs(negated ? NoTrap : Trap, Privilege.Admin);
        trap.Param(ParamType.Number(0, 7), "level", "Severity level 0-7").Runs(negated ? NoTrap : Trap, Privilege.Admin);

        var host = logging.Keyword("host", "A syslog server (RFC 5424)");
        CommandHandler hostRun = negated ? RemoveHost : AddHost;
        foreach (var ifNode in new[]
        {
            host.Param(ParamType.NameIf, "nameif", "Interface the server is reached through (nameif)"),
            host.Keyword(HttpAccessEntry.Management, "The host's own network stack"),
        })
        {
            var ip = ifNode.Param(ParamType.IpAddress, "ip", "Address of the syslog server").Runs(hostRun, Privilege.Admin);
            ip.Param(ParamType.Word, "transport", "udp[/PORT] (default udp/514) or tcp[/PORT] (default tcp/1470)").Runs(hostRun, Privilege.Admin);
        }

        var json = logging.Keyword("file", "Event file in the state directory").Keyword("json", "events.json, one JSON object per event");
        json.Runs(negated ? NoFile : File, Privilege.Admin);
        if (!negated)
        {
            json.Param(ParamType.Number(LoggingSettings.MinJsonFileKBytes, LoggingSettings.MaxJsonFileKBytes), "kbytes", "Size in KB at which the file rotates (default 65536)")
                .Runs(File, Privilege.Admin);
        }
    }

    private static bool Is(string line, string prefix) =>
        line == prefix || line.StartsWith(prefix + " ", StringComparison.Ordinal);

    private static Task<CommandResult> Enable(CommandContext ctx) => Replace(ctx, "logging enable");

    private static Task<CommandResult> Disable(CommandContext ctx) => Remove(ctx, "logging enable", mustExist: false);

    private static Task<CommandResult> Trap(CommandContext ctx) => Replace(ctx, "logging trap");

    private static Task<CommandResult> NoTrap(CommandContext ctx) => Remove(ctx, "logging trap", mustExist: false);

    private static Task<CommandResult> File(CommandContext ctx) => Replace(ctx, "logging file json");

    private static Task<CommandResult> NoFile(CommandContext ctx) => Remove(ctx, "logging file json", mustExist: false);

    // One server per interface and address, as on ASA: a new line for the same pair replaces the old one.
    private static Task<CommandResult> AddHost(CommandContext ctx) => Replace(ctx, HostPrefix(ctx));

    private static Task<CommandResult> RemoveHost(CommandContext ctx) => Remove(ctx, HostPrefix(ctx), mustExist: true);

    private static string HostPrefix(CommandContext ctx) =>
        $"logging host {ctx.Get("nameif") ?? HttpAccessEntry.Management} {Bridge.Packets.IpAddr.Parse(ctx.Get("ip")!)}";

    private static Task<CommandResult> Replace(CommandContext ctx, string prefix) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => Is(l, prefix));
            draft.AppendTyped(ctx.Parsed);
            return null;
        });

    private static Task<CommandResult> Remove(CommandContext ctx, string prefix, bool mustExist) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
            draft.RemoveWhere(l => Is(l, prefix)) == 0 && mustExist ? $"ERROR: {prefix} is not configured" : null);
}
