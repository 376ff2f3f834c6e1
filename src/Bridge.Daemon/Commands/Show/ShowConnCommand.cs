using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Show;

namespace Bridge.Daemon.Commands.Show;

/// <summary>
/// <c>show conn [count | detail | address A [detail] | protocol tcp|udp|icmp [detail]]</c>. The whole
/// table is rendered by <see cref="ShowConn"/>; a filtered listing keeps FTD's header (the total in
/// use) and prints only the matching connections in the same row format.
/// </summary>
public sealed class ShowConnCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var conn = CommonWords.Show(root).Keyword("conn", "Show connection information").Runs(Run, Privilege.Monitor);
        conn.Keyword("count", "Display number of connections in use").Runs(Run, Privilege.Monitor);
        conn.Keyword("detail", "Display detailed information").Runs(Run, Privilege.Monitor);
        conn.Keyword("address", "Display connections with this IP address")
            .Param(ParamType.IpAddress, "ip", "IP address")
            .Runs(Run, Privilege.Monitor)
            .Keyword("detail", "Display detailed information").Runs(Run, Privilege.Monitor);
        var proto = conn.Keyword("protocol", "Display connections of this protocol");
        foreach (var p in new[] { "tcp", "udp", "icmp" })
        {
            proto.Keyword(p, $"Display {p.ToUpperInvariant()} connections").Runs(Run, Privilege.Monitor)
                .Keyword("detail", "Display detailed information").Runs(Run, Privilege.Monitor);
        }
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var workers = ctx.Runtime.Workers;
        long now = ctx.Runtime.NowNs();
        var flows = new List<Flow>();
        foreach (var w in workers) w.Flows.CopyTo(flows);
        flows.Sort((a, b) => a.Id.CompareTo(b.Id));

        IpAddr? address = ctx.Get("ip") is { } ip ? IpAddr.Parse(ip) : null;
        int protocol = ctx.Has("tcp") ? IpProtocol.Tcp : ctx.Has("udp") ? IpProtocol.Udp : ctx.Has("icmp") ? IpProtocol.Icmp : -1;
        bool filtered = address is not null || protocol >= 0;
        var shown = filtered ? flows.FindAll(f => Matches(f, address, protocol)) : flows;
        var json = Json(shown, workers[0].Snapshot, now, flows.Count);

        if (ctx.Has("count")) return CommandResult.Ok(ShowConn.RenderCount(workers), json);
        bool detail = ctx.Has("detail");
        Predicate<Flow>? filter = filtered ? f => Matches(f, address, protocol) : null;
        return CommandResult.Ok(ShowConn.Render(workers, now, detail, filter), json);
    }

    private static bool Matches(in Flow f, IpAddr? address, int protocol) =>
        (protocol < 0 || f.Key.Protocol == protocol)
        && (address is not { } a || f.InitiatorAddr == a || f.ResponderAddr == a);

    private static string IfName(RuntimeSnapshot snap, int i) => i >= 0 && i < snap.Interfaces.Count ? snap.Interfaces[i].NameIf : "-";

    private static JsonObject Json(List<Flow> flows, RuntimeSnapshot snap, long now, int inUse)
    {
        var arr = new JsonArray();
        foreach (var f in flows)
        {
            arr.Add(new JsonObject
            {
                ["id"] = f.Id,
                ["protocol"] = ShowConn.Proto(f.Key.Protocol),
                ["initiator"] = new JsonObject { ["interface"] = IfName(snap, f.InitiatorIf), ["address"] = f.InitiatorAddr.ToString(), ["port"] = f.InitiatorPort },
                ["responder"] = new JsonObject { ["interface"] = IfName(snap, f.ResponderIf), ["address"] = f.ResponderAddr.ToString(), ["port"] = f.ResponderPort },
                ["idleSeconds"] = Math.Max(0, now - f.LastNs) / 1_000_000_000,
                ["uptimeSeconds"] = Math.Max(0, now - f.CreatedNs) / 1_000_000_000,
                ["bytes"] = f.Bytes,
                ["packets"] = f.Packets,
                ["flags"] = ShowConn.Flags(f),
            });
        }
        return new JsonObject { ["inUse"] = inUse, ["connections"] = arr };
    }
}
