using System.Text.Json.Nodes;
using static Bridge.Daemon.Tests.Admin.Responses;

namespace Bridge.Daemon.Tests.Admin;

/// <summary><c>policy-map</c> → <c>class class-default</c> → <c>set connection</c>, <c>service-policy … global</c>, <c>show service-policy</c>.</summary>
public sealed class PolicyMapCommandTests : IAsyncLifetime
{
    private AdminFixture _f = null!;

    public async Task InitializeAsync() => _f = await AdminFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Connection_limits_are_set_in_nested_sub_modes_bound_globally_and_shown()
    {
        await using var c = await _f.ConnectAsync();
        Assert.Equal("config", Mode(await c.RequestAsync("configure terminal")));
        Assert.Equal("config-pmap", Mode(await c.RequestAsync("policy-map global_policy")));
        Assert.Equal("config-pmap-c", Mode(await c.RequestAsync("class class-default")));
        Assert.Equal(0, Status(await c.RequestAsync("set connection conn-max 1000")));
        Assert.Equal(0, Status(await c.RequestAsync("set conn embryonic-conn-max 50")));
        Assert.Equal(0, Status(await c.RequestAsync("set connection timeout embryonic 0:00:10")));

        // The parser's refusal lands under the typed value; nothing changes.
        var bad = await c.RequestAsync("set connection timeout embryonic 0:00:01");
        Assert.Equal(1, Status(bad));
        var lines = Text(bad).Split('\n');
        Assert.Equal(new string(' ', 33) + "^", lines[1]);
        Assert.Equal("ERROR: the embryonic timeout must be at least 0:00:05", lines[3]);
        Assert.Equal("config-pmap-c", Mode(bad));

        Assert.Equal("config-pmap", Mode(await c.RequestAsync("exit")));
        Assert.Equal("config", Mode(await c.RequestAsync("exit")));
        Assert.Equal(0, Status(await c.RequestAsync("service-policy global_policy global")));

        Assert.Equal(
            "policy-map global_policy\n class class-default\n  set connection conn-max 1000 embryonic-conn-max 50\n  set connection timeout embryonic 0:00:10\n",
            await _f.TextAsync("show running-config policy-map"));
        var applied = _f.Runtime.Snapshot.Connection;
        Assert.Equal((1000, 50), (applied.ConnMax, applied.EmbryonicConnMax));
        Assert.Equal(10_000_000_000L, _f.Runtime.Snapshot.Timeouts.EmbryonicNs);

        string shown = await _f.TextAsync("show service-policy");
        Assert.Contains("Global policy: \n  Service-policy: global_policy\n    Class-map: class-default\n", shown);
        // The fixture's workers hold the connections of the pcap it replayed.
        int conns = _f.Runtime.Workers.Sum(w => w.Flows.Count), embryonic = _f.Runtime.Workers.Sum(w => w.Flows.Embryonic);
        Assert.Contains($"      Set connection policy: conn-max 1000 embryonic-conn-max 50\n        current embryonic conns {embryonic}, current conns {conns}, drop 0\n", shown);
        Assert.Contains("        embryonic 0:00:10 half-closed 0:10:00 idle 1:00:00\n", shown);

        // A bound policy cannot be deleted; unbound, it can, and the limits are gone.
        var inUse = await c.RequestAsync("no policy-map global_policy");
        Assert.Equal(1, Status(inUse));
        Assert.Contains("in use by 'service-policy global_policy global'", Text(inUse));
        Assert.Equal(0, Status(await c.RequestAsync("no service-policy global_policy global")));
        Assert.Equal("", await _f.TextAsync("show service-policy"));
        Assert.Equal(0, Status(await c.RequestAsync("no policy-map global_policy")));
        Assert.Equal("", await _f.TextAsync("show running-config policy-map"));
        Assert.Equal(0, _f.Runtime.Snapshot.Connection.EmbryonicConnMax);
    }

    [Fact]
    public async Task Only_class_default_is_offered_and_no_set_connection_removes_a_setting()
    {
        await using var c = await _f.ConnectAsync();
        await c.RequestAsync("configure terminal");
        await c.RequestAsync("policy-map P");
        var other = await c.RequestAsync("class web");
        Assert.Equal(1, Status(other));
        Assert.Contains("ERROR: % Invalid input detected at '^' marker.", Text(other));
        await c.RequestAsync("class class-default");
        await c.RequestAsync("set connection conn-max 10 embryonic-conn-max 5");
        Assert.Equal(0, Status(await c.RequestAsync("no set connection conn-max")));
        Assert.Equal("policy-map P\n class class-default\n  set connection embryonic-conn-max 5\n", await _f.TextAsync("show running-config policy-map"));
    }
}
