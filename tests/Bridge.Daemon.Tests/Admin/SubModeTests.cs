using System.Text.Json.Nodes;
using static Bridge.Daemon.Tests.Admin.Responses;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>
/// Configuration sub-modes through the socket: <c>interface</c>, <c>object</c> and
/// <c>object-group</c> blocks edited line by line, as an ASA engineer types them.
/// </summary>
public sealed class SubModeTests : IAsyncLifetime
{
    private AdminFixture _f = null!;

    public async Task InitializeAsync() => _f = await AdminFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Interface_sub_mode_edits_the_block_in_place_and_exit_and_end_step_back()
    {
        await using var c = await _f.ConnectAsync();
        Assert.Equal("config", Mode(await c.RequestAsync("configure terminal")));
        var enter = await c.RequestAsync("int veth-out");
        Assert.Equal(0, Status(enter));
        Assert.Equal("config-if", Mode(enter));

        Assert.Equal(0, Status(await c.RequestAsync(" description uplink to the router")));
        Assert.Equal(0, Status(await c.RequestAsync("shut")));
        Assert.Equal(
            "interface veth-out\n description uplink to the router\n nameif OUTSIDE\n bridge-group 1\n shutdown\n",
            await InterfaceBlock("veth-out"));
        Assert.True(_f.Runtime.Snapshot.Config.Interfaces.Single(i => i.Name == "veth-out").Shutdown);

        // A second description replaces the first; "no shutdown" removes the line.
        Assert.Equal(0, Status(await c.RequestAsync("description to R1")));
        Assert.Equal(0, Status(await c.RequestAsync("no shutdown")));
        Assert.Equal("interface veth-out\n description to R1\n nameif OUTSIDE\n bridge-group 1\n", await InterfaceBlock("veth-out"));
        Assert.False(_f.Runtime.Snapshot.Config.Interfaces.Single(i => i.Name == "veth-out").Shutdown);

        Assert.Equal("config", Mode(await c.RequestAsync("exit")));
        Assert.Equal(0, Status(await c.RequestAsync("interface veth-in.1577")));
        Assert.Equal(0, Status(await c.RequestAsync("mtu 9000")));
        Assert.Equal(9000, _f.Runtime.Snapshot.Config.Interfaces.Single(i => i.Name == "veth-in.1577").Mtu);
        var end = await c.RequestAsync("end");
        Assert.Equal("exec", Mode(end));
        Assert.False(end["config"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_wrong_value_in_a_sub_mode_is_pointed_at_and_changes_nothing()
    {
        await using var c = await _f.ConnectAsync();
        await c.RequestAsync("interface veth-out");
        string before = await _f.TextAsync("show running-config");

        var grammar = await c.RequestAsync("vlan 5000");
        Assert.Equal(1, Status(grammar));
        Assert.Equal("vlan 5000\n     ^\nERROR: % Invalid input detected at '^' marker.\n", Text(grammar));

        // The parser's complaint about an indented sub-command lands under the typed word too.
        var parser = await c.RequestAsync("nameif OUT SIDE");
        Assert.Equal(1, Status(parser));
        var lines = Text(parser).Split('\n');
        Assert.Equal("nameif OUT SIDE", lines[0]);
        Assert.Equal(new string(' ', 11) + "^", lines[1]);

        Assert.Equal("config-if", Mode(parser));
        Assert.Equal(before, await _f.TextAsync("show running-config"));
        Assert.Empty(_f.Runtime.Applied);
    }

    [Fact]
    public async Task Help_and_completion_in_a_sub_mode_offer_its_own_commands()
    {
        await using var c = await _f.ConnectAsync();
        await c.RequestAsync("interface veth-out");
        string help = Text(await c.RequestAsync("", mode: "help"));
        foreach (var word in new[] { "nameif", "vlan", "bridge-group", "mtu", "port-driver", "description", "shutdown", "no", "exit", "end" })
            Assert.Contains("  " + word + " ", help + " ");
        Assert.DoesNotContain("packet-tracer", help);
        Assert.Contains("afpacket", Text(await c.RequestAsync("port-driver ", mode: "help")));

        var completion = await c.RequestAsync("na", mode: "complete");
        Assert.Equal(["nameif"], completion["completions"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Show_keeps_the_sub_mode_and_a_global_configuration_line_closes_it()
    {
        await using var c = await _f.ConnectAsync();
        await c.RequestAsync("interface veth-out");
        var show = await c.RequestAsync("show run timeout");
        Assert.Equal(0, Status(show));
        Assert.Equal("config-if", Mode(show));

        var global = await c.RequestAsync("timeout udp 0:03:00");
        Assert.Equal(0, Status(global));
        Assert.Equal("config", Mode(global));
        Assert.Equal(TimeSpan.FromMinutes(3), _f.Runtime.Snapshot.Config.Timeouts.Udp);

        // A global "no …" too, although the sub-mode has a "no" of its own.
        await c.RequestAsync("interface veth-out");
        Assert.Equal(0, Status(await c.RequestAsync("access-list GONE extended deny ip any any")));
        await c.RequestAsync("interface veth-out");
        var no = await c.RequestAsync("no access-list GONE");
        Assert.Equal(0, Status(no));
        Assert.Equal("config", Mode(no));
        Assert.DoesNotContain("GONE", await _f.TextAsync("show running-config access-list"));

        // A line neither mode knows is pointed at where it went furthest.
        await c.RequestAsync("interface veth-out");
        var typo = await c.RequestAsync("nameif");
        Assert.Equal(1, Status(typo));
        Assert.Contains("% Incomplete command", Text(typo));
        var wrong = await c.RequestAsync("access-list X extended permit ip any hots 1.1.1.1");
        Assert.Equal(1, Status(wrong));
        Assert.Equal("config-if", Mode(wrong));
    }

    [Fact]
    public async Task Objects_and_groups_are_built_line_by_line_and_protected_while_in_use()
    {
        await using var c = await _f.ConnectAsync();
        Assert.Equal("config-network-object", Mode(await c.RequestAsync("object network WEB")));
        Assert.Equal(0, Status(await c.RequestAsync("host 192.168.101.10")));
        Assert.Equal(0, Status(await c.RequestAsync("subnet 192.168.101.0 255.255.255.0")));
        Assert.Equal("object network WEB\n subnet 192.168.101.0 255.255.255.0\n", await _f.TextAsync("show running-config object"));

        var badMask = await c.RequestAsync("subnet 192.168.101.0 255.0.255.0");
        Assert.Equal(1, Status(badMask));
        Assert.Equal(new string(' ', 21) + "^", Text(badMask).Split('\n')[1]);

        Assert.Equal("config-network-object-group", Mode(await c.RequestAsync("object-group network ADMINS")));
        Assert.Equal(0, Status(await c.RequestAsync("network-object host 192.168.103.5")));
        Assert.Equal(0, Status(await c.RequestAsync("network-object object WEB")));
        Assert.Equal(0, Status(await c.RequestAsync("network-object host 192.168.103.5")));
        Assert.Equal(
            "object-group network ADMINS\n network-object host 192.168.103.5\n network-object object WEB\n",
            await _f.TextAsync("show running-config object-group"));
        var missing = await c.RequestAsync("no network-object host 10.9.9.9");
        Assert.Equal(1, Status(missing));
        Assert.Contains("'network-object host 10.9.9.9' is not in object-group network ADMINS", Text(missing));

        var taken = await c.RequestAsync("object service WEB");
        Assert.Equal(1, Status(taken));
        Assert.Contains("'WEB' is already defined as 'object network WEB'", Text(taken));

        Assert.Equal(0, Status(await c.RequestAsync("access-list T extended permit ip object-group ADMINS any")));
        var inUse = await c.RequestAsync("no object-group network ADMINS");
        Assert.Equal(1, Status(inUse));
        Assert.Contains("ADMINS", await _f.TextAsync("show running-config object-group"));

        Assert.Equal(0, Status(await c.RequestAsync("no access-list T")));
        Assert.Equal(0, Status(await c.RequestAsync("no object-group network ADMINS")));
        Assert.Equal(0, Status(await c.RequestAsync("no object network WEB")));
        Assert.Equal("", await _f.TextAsync("show running-config object"));
    }

    [Fact]
    public async Task Service_groups_keep_their_protocol_in_the_header()
    {
        await using var c = await _f.ConnectAsync();
        Assert.Equal("config-service-object-group", Mode(await c.RequestAsync("object-group service WEB-PORTS tcp")));
        Assert.Equal(0, Status(await c.RequestAsync("port-object eq 443")));
        Assert.Equal(0, Status(await c.RequestAsync("port-object range 8000 8080")));
        Assert.Equal(0, Status(await c.RequestAsync("exit")));
        Assert.Equal(0, Status(await c.RequestAsync("access-list T extended permit tcp any any object-group WEB-PORTS")));
        Assert.Equal(
            "object-group service WEB-PORTS tcp\n port-object eq https\n port-object range 8000 8080\n",
            await _f.TextAsync("show running-config object-group"));
    }

    // The lines of one interface block in the running config.
    private async Task<string> InterfaceBlock(string device)
    {
        var lines = (await _f.TextAsync("show running-config interface")).Split('\n');
        var sb = new System.Text.StringBuilder();
        bool inside = false;
        foreach (var l in lines)
        {
            if (l.StartsWith("interface ", StringComparison.Ordinal)) inside = l == "interface " + device;
            else if (!l.StartsWith(' ')) inside = false;
            if (inside) sb.Append(l).Append('\n');
        }
        return sb.ToString();
    }
}
