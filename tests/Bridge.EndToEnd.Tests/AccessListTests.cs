namespace Bridge.EndToEnd.Tests;

public sealed class AccessListTests
{
    [Fact]
    public void A_deny_rule_stops_the_ping_and_acl_drop_counts_it()
    {
        using var lab = LiveLab.Up(config: LabConfigs.WithFirstRule(
            "access-list CSM_FW_ACL_ advanced deny icmp 192.168.103.0 255.255.255.0 any rule-id 268436490"));
        var ping = lab.Ping(count: 4);
        Assert.NotEqual(0, ping.ExitCode);
        Assert.Contains("4 packets transmitted, 0 received", ping.Stdout);

        // Live, through bridgectl on the admin socket, as an engineer would look.
        var live = lab.Cli("show asp drop").EnsureSuccess();
        Assert.True(LabConfigs.AspDrop(live.Stdout, "acl-drop") >= 4, live.Stdout);
        var acl = lab.Cli("show access-list").EnsureSuccess().Stdout;
        Assert.Matches(@"rule-id 268436490 \(hitcnt=[1-9]", acl);

        string log = lab.Down();
        Assert.True(LabConfigs.AspDrop(log, "acl-drop") >= 4, log);
        Assert.Contains("%BRIDGE-4-106023: Deny icmp src INSIDE:192.168.103.1 dst OUTSIDE:192.168.101.1 (type 8, code 0) by access-group \"CSM_FW_ACL_\" [0x", log);
    }
}
