namespace Bridge.EndToEnd.Tests;

/// <summary>The rules engine in the live lab's SNORT stage: a content rule drops, is counted, traced and alerted.</summary>
public sealed class SnortTests
{
    private const string Rule =
        "drop icmp any any -> any any (msg:\"BRIDGE-LAB deadbeef ping\"; itype:8; content:\"|de ad be ef|\"; classtype:misc-activity; sid:1000001; rev:1;)";

    [Fact]
    public void A_content_rule_drops_matching_pings_only_and_says_so_everywhere()
    {
        string rules = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.rules");
        File.WriteAllText(rules, Rule + "\n");
        try
        {
            using var lab = LiveLab.Up(config: LabConfigs.Seed + $"\nsnort rules {rules}\n");

            lab.Ping(count: 3).EnsureSuccess();
            var marked = lab.Ping(count: 3, extra: ["-p", "deadbeef"]);
            Assert.Contains("3 packets transmitted, 0 received", marked.Stdout);

            Assert.True(LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "snort-drop") >= 3);

            // packet-tracer asks the same engine, in dry run.
            var trace = lab.Cli("packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1 payload-hex deadbeefdeadbeef").Stdout;
            Assert.Contains("Snort Verdict: (block-packet) drop this packet\nMatched rule: 1:1000001:1 BRIDGE-LAB deadbeef ping (drop)", trace);
            Assert.Contains("Action: drop", trace);
            var clean = lab.Cli("packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1 payload-hex 0102030405060708").Stdout;
            Assert.Contains("Action: allow", clean);

            string log = lab.Down();
            Assert.Contains("Rules: ", log);
            Assert.Contains("[**] [1:1000001:1] BRIDGE-LAB deadbeef ping [**]", log);
            Assert.Contains("{ICMP} 192.168.103.1 -> 192.168.101.1", log);
        }
        finally
        {
            File.Delete(rules);
        }
    }
}
