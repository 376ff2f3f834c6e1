using System.Globalization;
using System.Text;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>Lexical helpers for option values: quoting, escapes, <c>|hex|</c> patterns, argument lists.</summary>
internal static class OptionText
{
    public static uint UInt(string value, string what)
    {
        if (!uint.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint v))
            throw new RuleRejectedException($"bad {what}", value);
        return v;
    }

    public static int Int(string value, string what)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw new RuleRejectedException($"bad {what}", value);
        return v;
    }

    /// <summary>Removes surrounding quotes and Snort's escapes (<c>\"</c>, <c>\;</c>, <c>\\</c>, <c>\:</c>).</summary>
    public static string Unquote(string value)
    {
        string s = value.Trim();
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"') s = s[1..^1];
        if (!s.Contains('\\', StringComparison.Ordinal)) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length) i++;
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>Splits on commas outside quotes, trimming each part.</summary>
    public static List<string> SplitArgs(string value)
    {
        var parts = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '\\' && quoted && i + 1 < value.Length)
            {
                sb.Append(c).Append(value[++i]);
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted)
            {
                parts.Add(sb.ToString().Trim());
                sb.Clear();
                continue;
            }
            sb.Append(c);
        }
        if (sb.Length > 0 || parts.Count > 0) parts.Add(sb.ToString().Trim());
        return parts;
    }

    /// <summary>
    /// Decodes a content string: text with <c>\</c> escapes and <c>|41 42|</c> hex runs. The input
    /// still has its quotes.
    /// </summary>
    public static byte[] Pattern(string quoted)
    {
        string s = quoted.Trim();
        if (s.Length < 2 || s[0] != '"' || s[^1] != '"') throw new RuleRejectedException("content not quoted", quoted);
        s = s[1..^1];
        var bytes = new List<byte>(s.Length);
        bool hex = false;
        int nibble = -1;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '|')
            {
                if (hex && nibble >= 0) throw new RuleRejectedException("bad hex in content", quoted);
                hex = !hex;
                continue;
            }
            if (hex)
            {
                if (c is ' ' or '\t') continue;
                int v = HexValue(c);
                if (v < 0) throw new RuleRejectedException("bad hex in content", quoted);
                if (nibble < 0)
                {
                    nibble = v;
                }
                else
                {
                    bytes.Add((byte)(nibble << 4 | v));
                    nibble = -1;
                }
                continue;
            }
            if (c == '\\' && i + 1 < s.Length) c = s[++i];
            if (c > 0xFF) throw new RuleRejectedException("non-Latin-1 character in content", quoted);
            bytes.Add((byte)c);
        }
        if (hex) throw new RuleRejectedException("unterminated hex in content", quoted);
        if (bytes.Count == 0) throw new RuleRejectedException("empty content");
        return [.. bytes];
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Splits a Snort 3 <c>name value</c> argument.</summary>
    public static (string Name, string Value) Pair(string arg)
    {
        int sp = arg.IndexOf(' ', StringComparison.Ordinal);
        return sp < 0 ? (arg, "") : (arg[..sp], arg[(sp + 1)..].Trim());
    }
}
