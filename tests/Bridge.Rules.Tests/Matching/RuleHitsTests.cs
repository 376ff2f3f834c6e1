using Bridge.Packets.Pcap;
using Bridge.Rules.Inspection;
using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Matching;

/// <summary>
/// The guard for performance work on matching: every shipped rule set over every shared pcap must
/// give the per-rule hit counts recorded in <c>rule-hits.txt</c> (written from the engine before the
/// second performance pass; a semantic change must update the file on purpose, with a reason).
/// </summary>
public class RuleHitsTests
{
    [Fact]
    public void ShippedRuleSetsGiveTheRecordedHitsOnTheSharedPcaps()
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Matching", "rule-hits.txt"));
        var actual = new List<string>();
        foreach (string name in new[] { "et-open-2017-snort29", "snort2-community", "snort3-community" })
        {
            var set = RuleSet.Load([Path.Combine(RuleData.Root, name)]);
            foreach (string pcap in Directory.GetFiles(RuleData.Pcaps, "*.pcapng").Order(StringComparer.Ordinal))
            {
                var inspector = set.CreateInspector(1 << 16);
                var flows = new OfflineFlows(1 << 16);
                foreach (var record in PcapReader.ReadAll(pcap)) flows.Inspect(record.Data.Span, record.TimestampNanoseconds, inspector);
                var hits = inspector.Hits;
                string prefix = $"{name} {Path.GetFileName(pcap)}";
                for (int i = 0; i < hits.Length; i++)
                {
                    if (hits[i] != 0) actual.Add($"{prefix} {set.Rules[i].Gid}:{set.Rules[i].Sid} {hits[i]}");
                }
                actual.Add($"{prefix} alerts={inspector.Alerts} packets={inspector.Packets}");
            }
        }
        Assert.Equal(expected, actual);
    }
}
