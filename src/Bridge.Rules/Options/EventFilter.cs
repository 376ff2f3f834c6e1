using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

internal enum FilterKind : byte
{
    /// <summary>threshold type limit: the first Count events per interval.</summary>
    Limit,
    /// <summary>threshold type threshold: every Count-th event in the interval.</summary>
    Threshold,
    /// <summary>threshold type both: one event per interval, once Count is reached.</summary>
    Both,
    /// <summary>detection_filter: every event after the first Count in the interval.</summary>
    Detection,
}

/// <summary>The parsed form of threshold, event_filter and detection_filter.</summary>
internal sealed record EventFilter(FilterKind Kind, TrackBy Track, int Count, int Seconds)
{
    /// <summary>Reads <c>type T, track by_src|by_dst, count N, seconds M</c> (any order).</summary>
    public static EventFilter Parse(string value, bool detection)
    {
        FilterKind? kind = detection ? FilterKind.Detection : null;
        TrackBy? track = null;
        int? count = null, seconds = null;
        foreach (string arg in OptionText.SplitArgs(value))
        {
            var (name, v) = OptionText.Pair(arg);
            switch (name)
            {
                case "type" when !detection:
                    kind = v switch
                    {
                        "limit" => FilterKind.Limit,
                        "threshold" => FilterKind.Threshold,
                        "both" => FilterKind.Both,
                        _ => throw new RuleRejectedException("bad threshold type", v),
                    };
                    break;
                case "track":
                    track = v switch
                    {
                        "by_src" => TrackBy.Source,
                        "by_dst" => TrackBy.Destination,
                        _ => throw new RuleRejectedException("bad track", v),
                    };
                    break;
                case "count": count = OptionText.Int(v, "count"); break;
                case "seconds": seconds = OptionText.Int(v, "seconds"); break;
                case "gen_id" or "sig_id": break;
                default: throw new RuleRejectedException("bad threshold argument", name);
            }
        }
        if (kind is null || track is null || count is null || seconds is null || count < 0 || seconds < 0)
            throw new RuleRejectedException("threshold needs type, track, count and seconds", value);
        return new EventFilter(kind.Value, track.Value, count.Value, seconds.Value);
    }
}
