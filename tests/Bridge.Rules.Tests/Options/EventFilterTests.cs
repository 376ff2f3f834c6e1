using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Options;

public class EventFilterTests
{
    private static List<int> FiringPackets(string filter, int packets, double spacingSeconds = 1, string src = Frames.Client)
    {
        var e = new Engine($"alert tcp any any -> any any (content:\"x\"; {filter}; sid:1;)");
        Assert.Equal(0, e.Set.Report.Rejected);
        var fired = new List<int>();
        for (int i = 1; i <= packets; i++)
        {
            if (e.Feed(Frames.Tcp("x", src: src), spacingSeconds).Count > 0) fired.Add(i);
        }
        return fired;
    }

    [Fact]
    public void LimitAlertsOnTheFirstNPerInterval() =>
        Assert.Equal([1, 2, 11, 12], FiringPackets("threshold:type limit, track by_src, count 2, seconds 10", 15));

    [Fact]
    public void ThresholdAlertsOnEveryNth() =>
        Assert.Equal([3, 6, 9], FiringPackets("threshold:type threshold, track by_src, count 3, seconds 100", 10));

    [Fact]
    public void BothAlertsOncePerIntervalAfterN() =>
        Assert.Equal([3, 13], FiringPackets("threshold:type both, track by_dst, count 3, seconds 10", 15));

    [Fact]
    public void DetectionFilterFiresAfterTheFirstN() =>
        // The window opens at the first match; packet 11 arrives 10 s later and opens a new one.
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15], FiringPackets("detection_filter:track by_src, count 2, seconds 10", 15));

    [Fact]
    public void TrackedPerAddress()
    {
        var e = new Engine("alert tcp any any -> any any (content:\"x\"; threshold:type limit, track by_src, count 1, seconds 60; sid:1;)");
        Assert.Single(e.Feed(Frames.Tcp("x", src: "10.1.1.1")));
        Assert.Empty(e.Feed(Frames.Tcp("x", src: "10.1.1.1")));
        Assert.Single(e.Feed(Frames.Tcp("x", src: "10.1.1.2")));
    }

    [Fact]
    public void StandaloneEventFilterAppliesBySid()
    {
        var e = new Engine("""
            alert tcp any any -> any any (content:"x"; sid:5;)
            event_filter gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60
            """);
        Assert.Single(e.Feed(Frames.Tcp("x")));
        Assert.Empty(e.Feed(Frames.Tcp("x")));
    }

    [Fact]
    public void TagIsParsedAndCounted()
    {
        var e = new Engine("alert tcp any any -> any any (content:\"x\"; tag:session,10,packets; sid:1;)");
        Assert.Equal(0, e.Set.Report.Rejected);
        e.Feed(Frames.Tcp("x"));
        Assert.Equal(1, e.Inspector.TaggedPackets);
    }
}

/// <summary>Fuzzer findings on threshold / event_filter lines, kept as regression tests.</summary>
public sealed class EventFilterFuzzFindingTests
{
    [Fact]
    public void A_threshold_line_repeating_an_argument_is_noted_and_ignored_not_thrown()
    {
        // The rules fuzzer's input (crash-423443ac…) reduced: 'track' twice used to throw from the loader.
        const string Text = "threshold gen_id 1, sig_id 1000001, type limit, track by_src, track by_dst, count 1, seconds 60\n" +
            "alert tcp any any -> any 80 (msg:\"x\"; sid:1000001; rev:1;)\n";
        var set = Bridge.Rules.RuleSet.FromText(Text, "finding.rules");
        Assert.Equal(1, set.Report.Loaded);
        Assert.Contains(set.Report.Notes, n => n.StartsWith("finding.rules:1: threshold ignored:", StringComparison.Ordinal) && n.Contains("'track' given twice", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fuzzer_input_itself_loads_without_an_exception()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Bridge.Fuzz", "findings", "rules", "crash-423443acd90b905a1df00673bbc5b150336fa53d");
        var parser = new Bridge.Rules.Parsing.RuleFileParser();
        parser.LoadText(File.ReadAllText(path), "fuzz.rules");
        parser.Finish();
    }
}
