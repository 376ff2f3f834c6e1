using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>threshold:type limit|threshold|both, track by_src|by_dst, count N, seconds M</c> (also Snort 3's rule-level event_filter).</summary>
internal static class ThresholdOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        if (b.Threshold is not null) throw new RuleRejectedException("more than one threshold");
        b.Threshold = EventFilter.Parse(value, detection: false);
    }
}
