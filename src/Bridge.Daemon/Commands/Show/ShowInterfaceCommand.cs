using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Commands.Show;

/// <summary>
/// <c>show interface [NAMEIF] [stats|detail]</c> in FTD's shape (ftd-reference §7.3), with what
/// Bridge has: the port's driver counters (packets, kernel drops, truncated frames) stand in for
/// the hardware block, and each nameif's software counters fill "Traffic Statistics" with 1- and
/// 5-minute rates. Bridge-group members have no IP address, as on FTD. <c>stats</c> is the default;
/// <c>detail</c> adds the driver, ring and fanout settings.
/// </summary>
public sealed class ShowInterfaceCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var ifc = CommonWords.Show(root).Keyword("interface", "Show interface status and statistics").Runs(Run, Privilege.Monitor);
        Options(ifc);
        Options(ifc.Param(ParamType.NameIf, "nameif", "Name of interface").Runs(Run, Privilege.Monitor));
    }

    private static void Options(GrammarNode node)
    {
        node.Keyword("stats", "Show interface information and statistics (default)").Runs(Run, Privilege.Monitor);
        node.Keyword("detail", "Show detailed interface information, driver and ring settings").Runs(Run, Privilege.Monitor);
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var rt = ctx.Runtime;
        var snap = rt.Snapshot;
        string? only = ctx.Get("nameif");
        bool detail = ctx.Has("detail");
        var totals = InterfaceRateMeter.Totals(rt);
        var sb = new StringBuilder();
        var arr = new JsonArray();
        foreach (var li in snap.Interfaces)
        {
            if (only is not null && li.NameIf != only) continue;
            var port = li.PhysPort < rt.Ports.Count ? rt.Ports[li.PhysPort] : null;
            var c = li.Index < totals.Length ? totals[li.Index] : default;
            Append(sb, li, port, c, ctx.State.Rates, detail, rt.Workers.Count);
            arr.Add(Json(li, port, c, ctx.State.Rates));
        }
        return CommandResult.Ok(sb.ToString(), new JsonObject { ["interfaces"] = arr });
    }

    private static string Name(LogicalInterface li) => li.Vlan == 0 ? li.Device : $"{li.Device}.{li.Vlan}";

    private static void Append(StringBuilder sb, LogicalInterface li, PortStatus? port, InterfaceCounters c, InterfaceRateMeter rates, bool detail, int workers)
    {
        var inv = CultureInfo.InvariantCulture;
        string state = li.Shutdown ? "administratively down" : "up";
        string line = port is { LinkUp: true } && !li.Shutdown ? "up" : "down";
        sb.Append(inv, $"Interface {Name(li)} \"{li.NameIf}\", is {state}, line protocol is {line}\n");
        sb.Append(inv, $"  Hardware is {port?.Driver ?? "unknown"}, BW unknown\n");
        if (li.Vlan != 0) sb.Append(inv, $"        VLAN identifier {li.Vlan}\n");
        sb.Append(inv, $"        MAC address {port?.Mac ?? "unknown"}, MTU {li.Mtu}\n");
        sb.Append("        IP address unassigned\n");
        if (port is not null)
        {
            // Driver counters belong to the physical port, shared by its VLAN sub-interfaces.
            sb.Append(inv, $"        {port.RxFrames} packets input, {port.RxKernelDrops} no buffer\n");
            sb.Append(inv, $"        {port.RxTruncated} giants\n");
            sb.Append(inv, $"        {port.TxFrames} packets output, {port.TxDropped} output errors\n");
        }
        if (detail && port is not null)
        {
            sb.Append(inv, $"        Driver {port.Driver}, device {port.Device}, port MTU {port.Mtu}, fanout members {port.Members}, workers {workers}\n");
            if (port.Settings.Length > 0) sb.Append(inv, $"        Ring and fanout settings: {port.Settings}\n");
            sb.Append(inv, $"        Bridge group {li.BridgeGroup}\n");
        }
        sb.Append(inv, $"  Traffic Statistics for \"{li.NameIf}\":\n");
        sb.Append(inv, $"        {c.PacketsIn} packets input, {c.BytesIn} bytes\n");
        sb.Append(inv, $"        {c.PacketsOut} packets output, {c.BytesOut} bytes\n");
        sb.Append(inv, $"        {c.Dropped} packets dropped\n");
        foreach (int minutes in new[] { 1, 5 })
        {
            var r = rates.Rate(li.Index, TimeSpan.FromMinutes(minutes));
            sb.Append(inv, $"      {minutes} minute input rate {r.PktsIn} pkts/sec,  {r.BytesIn} bytes/sec\n");
            sb.Append(inv, $"      {minutes} minute output rate {r.PktsOut} pkts/sec,  {r.BytesOut} bytes/sec\n");
            sb.Append(inv, $"      {minutes} minute drop rate, {r.Drops} pkts/sec\n");
        }
    }

    private static JsonObject Json(LogicalInterface li, PortStatus? port, InterfaceCounters c, InterfaceRateMeter rates)
    {
        var o = new JsonObject
        {
            ["name"] = Name(li),
            ["nameif"] = li.NameIf,
            ["vlan"] = li.Vlan,
            ["bridgeGroup"] = li.BridgeGroup,
            ["shutdown"] = li.Shutdown,
            ["mtu"] = li.Mtu,
            ["packetsInput"] = c.PacketsIn,
            ["bytesInput"] = c.BytesIn,
            ["packetsOutput"] = c.PacketsOut,
            ["bytesOutput"] = c.BytesOut,
            ["packetsDropped"] = c.Dropped,
        };
        foreach (int minutes in new[] { 1, 5 })
        {
            var r = rates.Rate(li.Index, TimeSpan.FromMinutes(minutes));
            o[$"rate{minutes}m"] = new JsonObject
            {
                ["inputPkts"] = r.PktsIn, ["inputBytes"] = r.BytesIn, ["outputPkts"] = r.PktsOut, ["outputBytes"] = r.BytesOut, ["dropPkts"] = r.Drops,
            };
        }
        if (port is not null)
        {
            o["port"] = new JsonObject
            {
                ["device"] = port.Device, ["driver"] = port.Driver, ["linkUp"] = port.LinkUp, ["mtu"] = port.Mtu, ["mac"] = port.Mac,
                ["members"] = port.Members, ["settings"] = port.Settings, ["rxFrames"] = port.RxFrames, ["rxKernelDrops"] = port.RxKernelDrops,
                ["rxTruncated"] = port.RxTruncated, ["txFrames"] = port.TxFrames, ["txDropped"] = port.TxDropped,
            };
        }
        return o;
    }
}
