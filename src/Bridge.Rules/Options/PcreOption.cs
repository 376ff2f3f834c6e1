using System.Text.RegularExpressions;
using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>pcre:[!]"/re/flags"</c> on .NET regex over the buffer read as Latin-1 (one char per byte, so
/// offsets are byte offsets). Flags i s m x map to RegexOptions; A anchors at the search start
/// (<c>\G</c>); R searches from the cursor; U I P H D M C K S Y B pick the Snort 2 HTTP buffers;
/// O is accepted (it only lifts PCRE's match limits). E and G change matching in ways .NET cannot
/// express, so such rules are rejected. A match moves the cursor to its end and, like content,
/// is retried one character later when the rest of the rule fails. Each match attempt has a
/// timeout; a timeout counts as no match.
/// </summary>
internal sealed class PcreOption : DetectionOption
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    private static long s_timeouts;

    /// <summary>pcre searches ended by <see cref="MatchTimeout"/> since the process started (counted as no match).</summary>
    public static long Timeouts => Interlocked.Read(ref s_timeouts);

    private readonly Regex _regex;

    private PcreOption(Regex regex, bool negated, bool relative, BufferId buffer)
    {
        _regex = regex;
        Negated = negated;
        Relative = relative;
        Buffer = buffer;
    }

    public bool Negated { get; }
    public bool Relative { get; }
    public BufferId Buffer { get; }
    public bool Retry { get; set; }

    public override bool IsRelative => Relative;

    public override bool Match(ref Evaluation e, Rule rule, int next)
    {
        if (!e.HasBuffer(Buffer)) return Negated && rule.MatchFrom(ref e, next);
        var chars = e.Chars(Buffer);
        int cursor = e.Cursors[(int)Buffer];
        int from = Relative ? Math.Min(cursor, chars.Length) : 0;
        if (Negated)
        {
            return !TryMatch(chars, from, out _, out _) && rule.MatchFrom(ref e, next);
        }
        while (from <= chars.Length && TryMatch(chars, from, out int index, out int length))
        {
            e.Cursors[(int)Buffer] = index + length;
            if (rule.MatchFrom(ref e, next)) return true;
            e.Cursors[(int)Buffer] = cursor;
            if (!Retry || --e.RetryBudget <= 0) return false;
            from = index + 1;
        }
        return false;
    }

    private bool TryMatch(ReadOnlySpan<char> chars, int from, out int index, out int length)
    {
        try
        {
            foreach (var m in _regex.EnumerateMatches(chars, from))
            {
                index = m.Index;
                length = m.Length;
                return true;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological subject (or a starved CPU): Snort's match limit would also end the
            // search without a match. The exception is the one allocation of the matching path.
            Interlocked.Increment(ref s_timeouts);
        }
        index = length = 0;
        return false;
    }

    /// <summary>
    /// Rewrites the PCRE spellings .NET lacks: Python-style named groups <c>(?P&lt;n&gt;…)</c> and
    /// backreferences <c>(?P=n)</c>, and <c>\_</c> (PCRE: a backslash before a non-alphanumeric
    /// character means the character itself; .NET refuses it before <c>_</c>). Recursion
    /// <c>(?P&gt;n)</c> has no .NET equivalent and rejects the rule.
    /// </summary>
    internal static string Translate(string pattern)
    {
        if (!pattern.Contains("(?P", StringComparison.Ordinal) && !pattern.Contains("\\_", StringComparison.Ordinal)) return pattern;
        var sb = new System.Text.StringBuilder(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char n = pattern[++i];
                if (n == '_') sb.Append('_');
                else sb.Append(c).Append(n);
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                sb.Append("(?<");
                i += 3;
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P=", 0, 4) == 0)
            {
                int close = pattern.IndexOf(')', i);
                if (close < 0) throw new RuleRejectedException("pcre not expressible as .NET regex", "unterminated (?P=");
                sb.Append("\\k<").Append(pattern, i + 4, close - i - 4).Append('>');
                i = close;
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P>", 0, 4) == 0)
                throw new RuleRejectedException("pcre recursion not supported");
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static void Parse(string value, RuleBuilder b)
    {
        string v = value.Trim();
        bool negated = v.StartsWith('!');
        if (negated) v = v[1..].Trim();
        if (v.Length < 2 || v[0] != '"' || v[^1] != '"') throw new RuleRejectedException("pcre not quoted", value);
        v = v[1..^1];
        // Snort escapes quotes inside the rule text; the regex itself sees them bare.
        v = v.Replace("\\\"", "\"", StringComparison.Ordinal);
        int open = v.IndexOf('/');
        int close = v.LastIndexOf('/');
        if (open != 0 || close <= open) throw new RuleRejectedException("pcre needs /re/flags", value);
        string pattern = v[1..close];
        string flags = v[(close + 1)..];
        var options = RegexOptions.CultureInvariant;
        bool relative = false, anchored = false;
        BufferId buffer = b.Sticky;
        foreach (char f in flags)
        {
            switch (f)
            {
                case 'i': options |= RegexOptions.IgnoreCase; break;
                case 's': options |= RegexOptions.Singleline; break;
                case 'm': options |= RegexOptions.Multiline; break;
                case 'x': options |= RegexOptions.IgnorePatternWhitespace; break;
                case 'A': anchored = true; break;
                case 'R': relative = true; break;
                case 'O': break;
                case 'B': buffer = BufferId.Packet; break;
                case 'U': buffer = BufferId.HttpUri; break;
                case 'I': buffer = BufferId.HttpRawUri; break;
                case 'P': buffer = BufferId.HttpClientBody; break;
                case 'H': buffer = BufferId.HttpHeader; break;
                case 'D': buffer = BufferId.HttpRawHeader; break;
                case 'M': buffer = BufferId.HttpMethod; break;
                case 'C': buffer = BufferId.HttpCookie; break;
                case 'K': buffer = BufferId.HttpRawCookie; break;
                case 'S': buffer = BufferId.HttpStatCode; break;
                case 'Y': buffer = BufferId.HttpStatMsg; break;
                case 'E': throw new RuleRejectedException("pcre flag E (dollar end only) not supported");
                case 'G': throw new RuleRejectedException("pcre flag G (ungreedy) not supported");
                default: throw new RuleRejectedException("unknown pcre flag", f.ToString());
            }
        }
        if (b.Dialect == RuleDialect.Snort3 && buffer != b.Sticky) throw new RuleRejectedException("pcre buffer flag in a Snort 3 rule");
        pattern = Translate(pattern);
        Regex regex;
        try
        {
            // A newline before the closing parenthesis ends a trailing x-mode comment.
            string wrapped = (options & RegexOptions.IgnorePatternWhitespace) != 0 ? $"\\G(?:{pattern}\n)" : $"\\G(?:{pattern})";
            regex = new Regex(anchored ? wrapped : pattern, options, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new RuleRejectedException("pcre not expressible as .NET regex", e.Message);
        }
        var option = new PcreOption(regex, negated, relative, buffer);
        b.Add(option);
        b.LastCursorOption = option;
    }
}
