using System.Globalization;

using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// The comparison grammar shared by dsize, ttl, itype, icode, urilen and friends: <c>N</c>,
/// <c>&lt;N</c>, <c>&gt;N</c>, <c>&lt;=N</c>, <c>&gt;=N</c>, <c>!N</c>, <c>=N</c>, <c>N&lt;&gt;M</c>,
/// <c>N&lt;=&gt;M</c> and <c>N-M</c>. Snort 2 reads <c>N&lt;&gt;M</c> inclusively (its dsize code
/// tests min ≤ x ≤ max); Snort 3 reads it exclusively and uses <c>&lt;=&gt;</c> for inclusive.
/// </summary>
internal readonly record struct NumericTest(long Low, long High, bool Negated)
{
    public bool Test(long x) => (x >= Low && x <= High) != Negated;

    public static NumericTest Parse(string text, RuleBuilder b, long max = long.MaxValue)
    {
        string s = text.Trim().Replace(" ", "", StringComparison.Ordinal);
        long N(string v)
        {
            if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long r) || r > max)
                throw new RuleRejectedException($"bad number '{v}' in '{text}'");
            return r;
        }
        int range = s.IndexOf("<=>", StringComparison.Ordinal);
        if (range > 0) return new NumericTest(N(s[..range]), N(s[(range + 3)..]), false);
        range = s.IndexOf("<>", StringComparison.Ordinal);
        if (range > 0)
        {
            long lo = N(s[..range]), hi = N(s[(range + 2)..]);
            return b.Dialect == RuleDialect.Snort3 ? new NumericTest(lo + 1, hi - 1, false) : new NumericTest(lo, hi, false);
        }
        range = s.IndexOf('-', 1);
        if (range > 0 && char.IsAsciiDigit(s[0])) return new NumericTest(N(s[..range]), N(s[(range + 1)..]), false);
        if (s.StartsWith("<=", StringComparison.Ordinal)) return new NumericTest(long.MinValue, N(s[2..]), false);
        if (s.StartsWith(">=", StringComparison.Ordinal)) return new NumericTest(N(s[2..]), long.MaxValue, false);
        if (s.StartsWith('<')) return new NumericTest(long.MinValue, N(s[1..]) - 1, false);
        if (s.StartsWith('>')) return new NumericTest(N(s[1..]) + 1, long.MaxValue, false);
        if (s.StartsWith('!')) { long v = N(s[1..]); return new NumericTest(v, v, true); }
        if (s.StartsWith('=')) { long v = N(s[1..]); return new NumericTest(v, v, false); }
        long x = N(s);
        return new NumericTest(x, x, false);
    }
}
