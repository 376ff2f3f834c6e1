namespace Bridge.EndToEnd.Tests;

/// <summary>The README's lab with the real daemon: frames cross it, tags stay, sizes and link flaps are survived.</summary>
public sealed class ForwardingTests
{
    [Theory]
    [InlineData("afpacket")]
    [InlineData("pcap")]
    public void Ping_from_A_to_B_crosses_the_bridge(string driver)
    {
        using var lab = LiveLab.Up(driver);
        var ping = lab.Ping(count: 4, size: 32);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.Contains("4 packets transmitted, 4 received", ping.Stdout);
    }

    [Fact]
    public void Inside_wire_carries_vlan_1577_both_ways_and_outside_wire_no_tag()
    {
        using var lab = LiveLab.Up();
        string[] inside, outside;
        string summaries;
        using (var inCap = new WireCapture(lab, "bridge", "veth-in", "icmp or (vlan and icmp)"))
        using (var outCap = new WireCapture(lab, "bridge", "veth-out", "icmp or (vlan and icmp)"))
        {
            lab.Ping().EnsureSuccess();
            inside = inCap.Stop();
            outside = outCap.Stop();
            summaries = inCap.Summary + " / " + outCap.Summary;
        }

        // Requests arrive from A tagged; replies leave the bridge re-tagged with the same VLAN.
        string seen = summaries + "\ninside:\n" + string.Join('\n', inside) + "\noutside:\n" + string.Join('\n', outside);
        Assert.True(4 == inside.Count(l => l.Contains("ICMP echo request", StringComparison.Ordinal)), seen);
        Assert.True(4 == inside.Count(l => l.Contains("ICMP echo reply", StringComparison.Ordinal)), seen);
        Assert.All(inside, l => Assert.Contains("vlan 1577", l));
        Assert.Equal(4, outside.Count(l => l.Contains("ICMP echo request", StringComparison.Ordinal)));
        Assert.Equal(4, outside.Count(l => l.Contains("ICMP echo reply", StringComparison.Ordinal)));
        Assert.All(outside, l => Assert.DoesNotContain("vlan", l));
    }

    [Fact]
    public void Jumbo_frames_pass_when_both_sides_allow_9000()
    {
        using var lab = LiveLab.Up(config: LabConfigs.WithMtu(9000));
        lab.Exec("hostA", "ip", "link", "set", "a0", "mtu", "9000").EnsureSuccess();
        lab.Exec("hostB", "ip", "link", "set", "b0", "mtu", "9000").EnsureSuccess();
        Assert.Contains("mtu 9000", lab.Exec("bridge", "ip", "link", "show", "veth-in").EnsureSuccess().Stdout);

        // 8972 bytes of ICMP payload + 28 of headers = a 9000-byte IP packet, never fragmented.
        var ping = lab.Ping(count: 3, size: 8972, extra: ["-M", "do"]);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.Contains("3 received", ping.Stdout);
        Assert.Contains("8980 bytes from", ping.Stdout);
    }

    [Fact]
    public void Link_down_and_up_on_one_side_is_survived_and_counted_as_interface_down()
    {
        using var lab = LiveLab.Up();
        lab.Ping(count: 2).EnsureSuccess();

        lab.Exec("bridge", "ip", "link", "set", "veth-out", "down").EnsureSuccess();
        var during = lab.Ping(count: 3);
        Assert.NotEqual(0, during.ExitCode);

        lab.Exec("bridge", "ip", "link", "set", "veth-out", "up").EnsureSuccess();
        WaitOperUp(lab, "bridge", "veth-out");
        // The first echo may still meet the old link state (re-read every 250 ms); then all must pass.
        lab.Ping(count: 5, interval: "0.3");
        var after = lab.Ping(count: 4);
        Assert.True(after.ExitCode == 0, after.Stdout + after.Stderr);

        string log = lab.Down();
        Assert.Contains("Final counters", log);
        Assert.True(LabConfigs.AspDrop(log, "interface-down") >= 1, log);
    }

    [Fact]
    public void A_nic_deleted_and_created_again_is_opened_again_and_forwards()
    {
        using var lab = LiveLab.Up();
        lab.Ping(count: 2).EnsureSuccess();

        // Unplug: deleting veth-out deletes its peer b0 in host B too.
        lab.Exec("bridge", "ip", "link", "del", "veth-out").EnsureSuccess();
        Assert.NotEqual(0, lab.Ping(count: 2).ExitCode);

        // Plug back a new pair with the same names, as the lab builds it.
        LiveLab.Run("ip", ["link", "add", "b0", "netns", lab.Prefix + "hostB", "address", "02:1a:b0:00:00:0b", "type", "veth",
            "peer", "name", "veth-out", "netns", lab.Prefix + "bridge", "address", "02:1a:b0:00:00:1b"], TimeSpan.FromSeconds(30)).EnsureSuccess();
        lab.Exec("hostB", "ethtool", "-K", "b0", "tx", "off");
        lab.Exec("hostB", "ip", "addr", "add", "192.168.101.1/24", "dev", "b0").EnsureSuccess();
        lab.Exec("hostB", "ip", "link", "set", "b0", "up").EnsureSuccess();
        lab.Exec("hostB", "ip", "route", "add", "192.168.103.0/24", "dev", "b0").EnsureSuccess();

        // The daemon notices within about a second, prepares the new device and reopens its ports.
        long deadline = Environment.TickCount64 + 20_000;
        LiveLab.Result ping;
        do
        {
            ping = lab.Ping(count: 2, interval: "0.5");
        }
        while (ping.ExitCode != 0 && Environment.TickCount64 < deadline);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        lab.Ping(count: 4).EnsureSuccess();

        string log = lab.Down();
        Assert.Contains("veth-out has disappeared", log);
        Assert.Contains("veth-out is back", log);
    }

    internal static void WaitOperUp(LiveLab lab, string host, string device)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!lab.Exec(host, "cat", $"/sys/class/net/{device}/operstate").Stdout.StartsWith("up", StringComparison.Ordinal))
        {
            Assert.True(Environment.TickCount64 < deadline, $"{device} did not come back up");
            Thread.Sleep(50);
        }
    }
}
