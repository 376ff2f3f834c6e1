using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>How flags and fragbits compare the wanted bits.</summary>
internal enum BitsMode : byte
{
    /// <summary>No modifier: exactly these bits (after the ignore mask).</summary>
    Exact,
    /// <summary><c>+</c>: these bits and possibly others.</summary>
    All,
    /// <summary><c>*</c>: any of these bits.</summary>
    Any,
    /// <summary>
    /// <c>!</c>: Snort's code (not its one-line manual text) decided this: it matches when the
    /// masked bits differ from the wanted ones, i.e. "not exactly these".
    /// </summary>
    Not,
}

/// <summary>The bit comparison shared by flags and fragbits.</summary>
internal readonly record struct BitsTest(int Want, int Ignore, BitsMode Mode)
{
    public bool Test(int actual)
    {
        int f = actual & ~Ignore;
        return Mode switch
        {
            BitsMode.Exact => f == Want,
            BitsMode.All => (f & Want) == Want,
            BitsMode.Any => (f & Want) != 0,
            _ => f != Want,
        };
    }

    public static BitsTest Parse(string value, Func<char, int> bit)
    {
        var parts = OptionText.SplitArgs(value);
        if (parts.Count == 0 || parts[0].Trim().Length == 0) throw new RuleRejectedException("bits option needs a value", value);
        string spec = parts[0].Replace(" ", "", StringComparison.Ordinal);
        var mode = BitsMode.Exact;
        int want = 0;
        foreach (char c in spec)
        {
            switch (c)
            {
                case '+': mode = BitsMode.All; break;
                case '*': mode = BitsMode.Any; break;
                case '!': mode = BitsMode.Not; break;
                default:
                    int v = bit(c);
                    if (v < 0) throw new RuleRejectedException("bad bit letter", spec);
                    want |= v;
                    break;
            }
        }
        int ignore = 0;
        if (parts.Count > 1)
        {
            foreach (char c in parts[1].Trim())
            {
                int v = bit(c);
                if (v < 0) throw new RuleRejectedException("bad bit letter", parts[1]);
                ignore |= v;
            }
        }
        return new BitsTest(want, ignore, mode);
    }
}
