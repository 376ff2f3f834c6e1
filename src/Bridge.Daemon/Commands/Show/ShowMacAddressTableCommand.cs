using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Show;

namespace Bridge.Daemon.Commands.Show;

/// <summary><c>show mac-address-table [count]</c>. The table is one object shared by every worker.</summary>
public sealed class ShowMacAddressTableCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var mat = CommonWords.Show(root).Keyword("mac-address-table", "Show the MAC address table").Runs(Run, Privilege.Monitor);
        mat.Keyword("count", "Show the number of MAC addresses").Runs(Run, Privilege.Monitor);
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var rt = ctx.Runtime;
        var table = rt.Workers[0].Macs;
        var snap = rt.Snapshot;
        long now = rt.NowNs();
        if (ctx.Has("count"))
        {
            int n = table.Snapshot(now).Count;
            return CommandResult.Ok(ShowMacAddressTable.RenderCount(table, now), new JsonObject { ["dynamic"] = n });
        }
        var entries = new JsonArray();
        foreach (var e in table.Snapshot(now))
        {
            var li = e.Interface >= 0 && e.Interface < snap.Interfaces.Count ? snap.Interfaces[e.Interface] : null;
            entries.Add(new JsonObject
            {
                ["interface"] = li?.NameIf,
                ["mac"] = e.Mac.ToCisco(),
                ["type"] = "dynamic",
                ["ageSeconds"] = Math.Max(0, (now - e.LastSeenNs) / 1_000_000_000),
                ["bridgeGroup"] = li?.BridgeGroup,
            });
        }
        return CommandResult.Ok(ShowMacAddressTable.Render(table, snap, now), new JsonObject { ["entries"] = entries });
    }
}
