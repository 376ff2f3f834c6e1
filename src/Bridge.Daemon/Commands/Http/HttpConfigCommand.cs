using Bridge.Daemon.Commands.Config;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Http;

/// <summary>
/// <c>[no] http server enable [PORT]</c> and <c>[no] http NET MASK IFNAME</c> (IFNAME a nameif or
/// <c>management</c>). IPv6 entries (<c>http 2001:db8::/64 management</c>) are written in the config file.
/// </summary>
public sealed class HttpConfigCommand : ICommandModule
{
    private const string ServerEnable = "http server enable";

    public void Register(GrammarNode root)
    {
        Register(root.Keyword("http", "Configure the HTTPS server and who may reach it"), negated: false);
        Register(CommonWords.No(root).Keyword("http", "Disable the HTTPS server or remove an allow-list entry"), negated: true);
    }

    private static void Register(GrammarNode http, bool negated)
    {
        var enable = http.Keyword("server", "Configure the HTTPS server").Keyword("enable", "Enable the HTTPS server (default port 443)");
        if (negated)
        {
            enable.Runs(Disable, Privilege.Admin);
        }
        else
        {
            enable.Runs(Enable, Privilege.Admin);
            enable.Param(ParamType.Number(1, 65535), "port", "Port to listen on").Runs(Enable, Privilege.Admin);
        }
        var mask = http.Param(ParamType.IpAddress, "network", "Network allowed to connect")
            .Param(ParamType.IpAddress, "mask", "Network mask");
        CommandHandler run = negated ? RemoveEntry : AddEntry;
        mask.Keyword(HttpAccessEntry.Management, "The host's own network stack").Runs(run, Privilege.Admin);
        mask.Param(ParamType.NameIf, "nameif", "Name of the interface (nameif)").Runs(run, Privilege.Admin);
    }

    private static Task<CommandResult> Enable(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => l.StartsWith(ServerEnable, StringComparison.Ordinal));
            draft.AppendTyped(ctx.Parsed);
            return null;
        });

    private static Task<CommandResult> Disable(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => l.StartsWith(ServerEnable, StringComparison.Ordinal));
            return null;
        });

    private static Task<CommandResult> AddEntry(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.AppendTyped(ctx.Parsed);
            return null;
        });

    private static Task<CommandResult> RemoveEntry(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            if (Entry(ctx) is not { } entry) return "ERROR: " + ctx.Get("network") + " " + ctx.Get("mask") + " is not a network and mask";
            return draft.Lines.Remove(entry.Text) ? null : $"ERROR: {entry.Text} is not configured";
        });

    /// <summary>The typed entry in canonical form (as the running config prints it), or null when network and mask do not pair.</summary>
    private static HttpAccessEntry? Entry(CommandContext ctx)
    {
        var network = IpAddr.Parse(ctx.Get("network")!);
        var mask = IpAddr.Parse(ctx.Get("mask")!);
        if (!network.IsV4 || !mask.IsV4) return null;
        uint inverse = ~mask.V4;
        if ((inverse & (inverse + 1)) != 0 || (network.V4 & inverse) != 0) return null;
        return new HttpAccessEntry(network, System.Numerics.BitOperations.PopCount(mask.V4), ctx.Get("nameif") ?? HttpAccessEntry.Management);
    }
}
