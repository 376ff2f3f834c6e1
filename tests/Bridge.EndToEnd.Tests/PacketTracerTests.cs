using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>packet-tracer against the running daemon of the live lab, through bridgectl.</summary>
public sealed class PacketTracerTests
{
    private const string Seed = "packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1";

    /// <summary>What a trace must not move. The MAC table is compared by entries, not by their age.</summary>
    private static string Observable(LiveLab lab)
    {
        string conn = lab.Cli("show conn").EnsureSuccess().Stdout;
        string drops = lab.Cli("show asp drop").EnsureSuccess().Stdout;
        string acl = lab.Cli("show access-list").EnsureSuccess().Stdout;
        string macs = Regex.Replace(lab.Cli("show mac-address-table").EnsureSuccess().Stdout, @"\s+\d+\s*$", "", RegexOptions.Multiline);
        // Idle times tick between two reads; the connections themselves must not change.
        conn = Regex.Replace(conn, @"idle \d+:\d\d:\d\d", "idle");
        return string.Join("\n--\n", conn, drops, acl, macs);
    }

    [Fact]
    public void The_seed_trace_allows_and_moves_no_counter_of_the_live_bridge()
    {
        // A long ICMP timeout: the seed's two seconds would let the ping's connection age out
        // between the two looks, and that is not what this test is about.
        string config = LabConfigs.Seed.Replace("timeout icmp 0:00:02", "timeout icmp 0:10:00");
        Assert.NotEqual(LabConfigs.Seed, config);
        using var lab = LiveLab.Up(config: config);
        lab.Ping(count: 2).EnsureSuccess();
        string before = Observable(lab);

        var trace = lab.Cli(Seed).EnsureSuccess().Stdout;
        Assert.Contains("Type: L2-EGRESS-IFC-LOOKUP\n", trace);
        Assert.Contains("Type: ACCESS-LIST\nSubtype: log\nResult: ALLOW\n", trace);
        Assert.Contains("input-interface: INSIDE\n", trace);
        Assert.Contains("output-interface: OUTSIDE\n", trace);
        Assert.Matches(@"Action: allow\nTime Taken: \d+ ns\n", trace);
        Assert.Contains("Drop-reason: (acl-drop)", lab.Cli("packet-tracer input INSIDE udp 10.1.1.1 1234 10.2.2.2 domain").Stdout);

        Assert.Equal(before, Observable(lab));
        lab.Down();
    }
}
