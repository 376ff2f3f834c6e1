using Bridge.Packets;
using Bridge.Pipeline.Tests.Fuzz;
using Bridge.Rules.Inspection;

namespace Bridge.Rules.Tests.Fuzz;

/// <summary>
/// Smoke fuzzing of the rule parser and matcher (issue 11 §1, CI mode): damaged real rules must
/// load or be rejected with a reason, never throw; what loads must match packets without throwing.
/// </summary>
public sealed class RuleParserFuzzTests
{
    [Fact]
    public void Damaged_real_rules_load_or_are_rejected_and_what_loads_inspects()
    {
        // A rule set, even of one rule, builds its full matcher tables (~10 ms): CI runs a few
        // thousand rounds; scripts/fuzz-style long runs are the place for millions.
        const int Rounds = 2_000;
        const int InspectEvery = 5;
        var rules = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Support.RuleData.Root, "et-open-2017-snort29"), "*.rules").Order().Take(12))
        {
            rules.AddRange(File.ReadLines(file).Where(l => l.StartsWith("alert ", StringComparison.Ordinal) || l.StartsWith("drop ", StringComparison.Ordinal)).Take(40));
        }
        Assert.NotEmpty(rules);
        byte[][] frames =
        [
            FrameBuilder.Ethernet(new MacAddr(1), new MacAddr(2)).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"))
                .Tcp(40000, 80, TcpFlags.Ack | TcpFlags.Psh, 1, 1, payload: "GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Agent: curl\r\n\r\n"u8.ToArray()).Build(),
            FrameBuilder.Ethernet(new MacAddr(1), new MacAddr(2)).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"))
                .Udp(5353, 53, [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w', (byte)'w', 0, 0, 1, 0, 1]).Build(),
            FrameBuilder.Ethernet(new MacAddr(1), new MacAddr(2)).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).IcmpEcho(true, 1, 1, 48).Build(),
        ];
        var mutator = new Mutator(4242);
        int loaded = 0, rejected = 0;
        var flows = new OfflineFlows(64);
        for (int round = 0; round < Rounds; round++)
        {
            string text = mutator.Mutate(rules[mutator.Random.Next(rules.Count)]);
            RuleSet set;
            try
            {
                set = RuleSet.FromText(text, "fuzz.rules");
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: {e.GetType().Name}: {e.Message}\n--- rule ---\n{text}");
                return;
            }
            loaded += set.Report.Loaded;
            rejected += set.Report.Rejected;
            if (set.Report.Loaded == 0 || round % InspectEvery != 0) continue;
            var inspector = set.CreateInspector(64);
            foreach (var frame in frames)
            {
                try
                {
                    flows.Inspect(frame, 1_700_000_000_000_000_000L + round, inspector);
                }
                catch (Exception e)
                {
                    Assert.Fail($"round {round}: inspecting threw {e.GetType().Name}: {e.Message}\n--- rule ---\n{text}");
                }
            }
        }
        Assert.True(loaded > 0 && rejected > 0, $"loaded {loaded}, rejected {rejected}");
    }
}
