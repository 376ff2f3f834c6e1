using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>content</c> with its modifiers. Window: absolute contents search [offset, offset+depth);
/// relative ones (distance/within) search [cursor+distance, cursor+distance+within), the Snort 2
/// reading where within counts from the distance-adjusted start. A match moves the cursor of its
/// buffer to the match end; when a later option fails, the content is searched again one byte
/// after its previous match (Snort's relative retry), bounded by <see cref="Evaluation.RetryBudget"/>.
/// </summary>
internal sealed class ContentOption : DetectionOption
{
    public ContentOption(byte[] pattern, bool negated, BufferId buffer)
    {
        Pattern = pattern;
        Negated = negated;
        Buffer = buffer;
    }

    public byte[] Pattern { get; }
    public bool Negated { get; }
    public BufferId Buffer { get; set; }
    public bool Nocase { get; set; }
    public IntArg? Offset { get; set; }
    public IntArg? Depth { get; set; }
    public IntArg? Distance { get; set; }
    public IntArg? Within { get; set; }
    public bool FastPattern { get; set; }
    public bool FastPatternOnly { get; set; }
    public int FastPatternOffset { get; set; }
    public int FastPatternLength { get; set; } = -1;
    /// <summary>Set at rule build: a later option depends on this content's cursor, so retrying can change the outcome.</summary>
    public bool Retry { get; set; }

    public override bool IsRelative => Distance.HasValue || Within.HasValue;

    /// <summary>The bytes fed to the multi-pattern matcher.</summary>
    public byte[] FastPatternBytes =>
        FastPatternLength < 0 ? Pattern : Pattern.AsSpan(FastPatternOffset, FastPatternLength).ToArray();

    public override bool Match(ref Evaluation e, Rule rule, int next)
    {
        if (!e.HasBuffer(Buffer)) return false;
        var buf = e.Buffer(Buffer);
        int cursor = e.Cursors[(int)Buffer];
        long start, end;
        if (IsRelative)
        {
            start = cursor + (long)(Distance?.Resolve(ref e) ?? 0);
            end = Within is { } w ? start + w.Resolve(ref e) : buf.Length;
        }
        else
        {
            start = Offset?.Resolve(ref e) ?? 0;
            end = Depth is { } d ? start + d.Resolve(ref e) : buf.Length;
        }
        if (start < 0) start = 0;
        if (end > buf.Length) end = buf.Length;

        if (Negated)
        {
            bool found = end - start >= Pattern.Length && Find(buf.Slice((int)start, (int)(end - start))) >= 0;
            return !found && rule.MatchFrom(ref e, next);
        }
        int from = (int)start;
        while (end - from >= Pattern.Length)
        {
            int i = Find(buf.Slice(from, (int)end - from));
            if (i < 0) return false;
            e.Cursors[(int)Buffer] = from + i + Pattern.Length;
            if (rule.MatchFrom(ref e, next)) return true;
            e.Cursors[(int)Buffer] = cursor;
            if (!Retry || --e.RetryBudget <= 0) return false;
            from += i + 1;
        }
        return false;
    }

    private int Find(ReadOnlySpan<byte> hay)
    {
        if (!Nocase) return hay.IndexOf(Pattern);
        byte first = Pattern[0];
        byte lower = PatternMatcher.Fold(first);
        byte upper = lower is >= (byte)'a' and <= (byte)'z' ? (byte)(lower - 0x20) : lower;
        int pos = 0;
        while (pos <= hay.Length - Pattern.Length)
        {
            int i = hay.Slice(pos, hay.Length - Pattern.Length + 1 - pos).IndexOfAny(lower, upper);
            if (i < 0) return -1;
            int at = pos + i;
            if (EqualsFolded(hay.Slice(at, Pattern.Length))) return at;
            pos = at + 1;
        }
        return -1;
    }

    private bool EqualsFolded(ReadOnlySpan<byte> candidate)
    {
        var p = Pattern;
        for (int k = 1; k < p.Length; k++)
        {
            if (PatternMatcher.Fold(candidate[k]) != PatternMatcher.Fold(p[k])) return false;
        }
        return true;
    }

    /// <summary><c>content:[!]"text"</c>, and Snort 3's trailing <c>,depth 4,nocase,…</c>.</summary>
    public static void Parse(string value, RuleBuilder b)
    {
        var args = OptionText.SplitArgs(value);
        string first = args[0];
        bool negated = first.StartsWith('!');
        if (negated) first = first[1..].Trim();
        var content = new ContentOption(OptionText.Pattern(first), negated, b.Sticky);
        b.Add(content);
        b.LastContent = content;
        b.LastCursorOption = content;
        for (int i = 1; i < args.Count; i++)
        {
            var (name, arg) = OptionText.Pair(args[i]);
            switch (name)
            {
                case "nocase": content.Nocase = true; break;
                case "offset": content.Offset = IntArg.Parse(arg, b); break;
                case "depth": content.Depth = IntArg.Parse(arg, b); break;
                case "distance": content.Distance = IntArg.Parse(arg, b); break;
                case "within": content.Within = IntArg.Parse(arg, b); break;
                case "fast_pattern": content.FastPattern = true; break;
                case "fast_pattern_offset": content.FastPattern = true; content.FastPatternOffset = OptionText.Int(arg, "fast_pattern_offset"); break;
                case "fast_pattern_length": content.FastPattern = true; content.FastPatternLength = OptionText.Int(arg, "fast_pattern_length"); break;
                default: throw new RuleRejectedException("unsupported content modifier", name);
            }
        }
        content.Validate();
    }

    /// <summary><c>uricontent:"x"</c>: Snort 2's shorthand for content with http_uri.</summary>
    public static void ParseUriContent(string value, RuleBuilder b)
    {
        Parse(value, b);
        b.LastContent!.Buffer = BufferId.HttpUri;
    }

    public static void ParseNocase(string value, RuleBuilder b) => b.RequireContent("nocase").Nocase = true;

    public static void ParseRawbytes(string value, RuleBuilder b) => b.RequireContent("rawbytes").Buffer = BufferId.Packet;

    public static void ParseOffset(string value, RuleBuilder b) => Modify(b, "offset", c => c.Offset = IntArg.Parse(value, b));

    public static void ParseDepth(string value, RuleBuilder b) => Modify(b, "depth", c => c.Depth = IntArg.Parse(value, b));

    public static void ParseDistance(string value, RuleBuilder b) => Modify(b, "distance", c => c.Distance = IntArg.Parse(value, b));

    public static void ParseWithin(string value, RuleBuilder b) => Modify(b, "within", c => c.Within = IntArg.Parse(value, b));

    /// <summary><c>fast_pattern</c>, <c>fast_pattern:only</c>, <c>fast_pattern:offset,length</c>.</summary>
    public static void ParseFastPattern(string value, RuleBuilder b)
    {
        var c = b.RequireContent("fast_pattern");
        c.FastPattern = true;
        string v = value.Trim();
        if (v.Length == 0) return;
        if (v == "only")
        {
            c.FastPatternOnly = true;
            return;
        }
        var parts = OptionText.SplitArgs(v);
        if (parts.Count != 2) throw new RuleRejectedException("bad fast_pattern", v);
        c.FastPatternOffset = OptionText.Int(parts[0], "fast_pattern offset");
        c.FastPatternLength = OptionText.Int(parts[1], "fast_pattern length");
        if (c.FastPatternOffset < 0 || c.FastPatternLength <= 0 || c.FastPatternOffset + c.FastPatternLength > c.Pattern.Length)
            throw new RuleRejectedException("bad fast_pattern", v);
    }

    private static void Modify(RuleBuilder b, string name, Action<ContentOption> apply)
    {
        var c = b.RequireContent(name);
        apply(c);
        c.Validate();
    }

    /// <summary>Snort refuses mixing absolute and relative modifiers on one content.</summary>
    private void Validate()
    {
        if ((Offset.HasValue || Depth.HasValue) && IsRelative)
            throw new RuleRejectedException("content mixes offset/depth with distance/within");
        if (Depth is { Variable: < 0 } d && d.Value < Pattern.Length)
            throw new RuleRejectedException("content depth shorter than the pattern");
        if (Within is { Variable: < 0 } w && w.Value < Pattern.Length)
            throw new RuleRejectedException("content within shorter than the pattern");
    }
}
