using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>The seed document's ASA-engine capture walkthrough on the live lab, typed through bridgectl.</summary>
public sealed class CaptureTests
{
    [Fact]
    public void Seed_walkthrough_captures_both_sides_of_four_pings_and_traces_the_first_packet()
    {
        using var lab = LiveLab.Up(workers: 2);
        lab.Cli("capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1").EnsureSuccess();
        lab.Cli("capture CAPO interface OUTSIDE match icmp host 192.168.101.1 host 192.168.103.1").EnsureSuccess();
        lab.Cli("capture CAPI2 interface INSIDE trace detail trace-count 100 match icmp host 192.168.103.1 host 192.168.101.1").EnsureSuccess();

        var ping = lab.Ping(count: 4, size: 32);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);

        string list = lab.Cli("show capture").EnsureSuccess().Stdout;
        long capi = Bytes(list, "CAPI type raw-data interface INSIDE");
        long capo = Bytes(list, "CAPO type raw-data interface OUTSIDE");
        Assert.Contains("  match icmp host 192.168.103.1 host 192.168.101.1\n", list);
        Assert.Contains("capture CAPI2 type raw-data trace detail trace-count 100 interface INSIDE [Capturing - ", list);
        // Linux ping -s 32: 74-byte frames, 78 with the 802.1Q tag on INSIDE.
        Assert.Equal(8 * 74, capo);
        Assert.Equal(capo + 8 * 4, capi);

        string inside = lab.Cli("show capture CAPI").EnsureSuccess().Stdout;
        Assert.StartsWith("8 packets captured\n", inside);
        Assert.EndsWith("8 packets shown\n", inside);
        var insideLines = PacketLines(inside);
        Assert.Equal(8, insideLines.Length);
        Assert.All(insideLines, l => Assert.Contains("802.1Q vlan#1577 P0 ", l));
        Assert.Equal(4, insideLines.Count(l => l.EndsWith("192.168.103.1 > 192.168.101.1: icmp: echo request", StringComparison.Ordinal)));
        Assert.Equal(4, insideLines.Count(l => l.EndsWith("192.168.101.1 > 192.168.103.1: icmp: echo reply", StringComparison.Ordinal)));

        string outside = lab.Cli("show capture CAPO").EnsureSuccess().Stdout;
        var outsideLines = PacketLines(outside);
        Assert.Equal(8, outsideLines.Length);
        Assert.All(outsideLines, l => Assert.DoesNotContain("802.1Q", l));
        Assert.Matches(@"^   1: \d\d:\d\d:\d\d\.\d{6}       192\.168\.103\.1 > 192\.168\.101\.1: icmp: echo request$", outsideLines[0]);

        string trace = lab.Cli("show capture CAPI2 packet-number 1 trace detail").EnsureSuccess().Stdout;
        Assert.StartsWith("8 packets captured\n\n   1: ", trace);
        Assert.Contains(" 0x8100 Length: 78\n      802.1Q vlan#1577 P0 192.168.103.1 > 192.168.101.1: icmp: echo request (DF) (ttl 64, id ", trace);
        Assert.Contains("\nPhase: 1\nType: CAPTURE\n", trace);
        Assert.Contains("Type: ACCESS-LIST\n", trace);
        Assert.Contains("Type: FLOW-CREATION\n", trace);
        Assert.Contains("input-interface: INSIDE\n", trace);
        Assert.Contains("output-interface: OUTSIDE\n", trace);
        Assert.Contains("Action: allow\n", trace);
        Assert.EndsWith("1 packet shown\n", trace);

        lab.Cli("clear capture /all").EnsureSuccess();
        Assert.Contains("CAPI type raw-data interface INSIDE [Capturing - 0 bytes]", lab.Cli("show capture").EnsureSuccess().Stdout);
        lab.Cli("no capture CAPI").EnsureSuccess();
        Assert.DoesNotContain("capture CAPI ", lab.Cli("show capture").EnsureSuccess().Stdout);
    }

    private static long Bytes(string list, string head)
    {
        var m = Regex.Match(list, "capture " + Regex.Escape(head) + @" \[Capturing - (\d+) bytes\]");
        Assert.True(m.Success, list);
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string[] PacketLines(string text) =>
        text.Split('\n').Where(l => Regex.IsMatch(l, @"^\s*\d+: \d\d:")).ToArray();
}
