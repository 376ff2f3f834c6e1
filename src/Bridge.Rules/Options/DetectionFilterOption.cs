using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>detection_filter:track by_src|by_dst, count N, seconds M</c>: the rule fires only for matches
/// after the first N within the interval; unlike threshold it gates the action too (no drop before).
/// </summary>
internal static class DetectionFilterOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        if (b.DetectionFilter is not null) throw new RuleRejectedException("more than one detection_filter");
        b.DetectionFilter = EventFilter.Parse(value, detection: true);
    }
}
