using System.Globalization;
using Bridge.Rules.Matching;

namespace Bridge.Rules.Parsing;

/// <summary>
/// Address and port fields of rule headers: lists in brackets, nesting, negation, ranges and
/// variables (expanded recursively). Results are interned by text so equal fields share memory.
/// </summary>
internal sealed class HeaderParser(Variables variables)
{
    private readonly Dictionary<string, AddressSet> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PortSet> _ports = new(StringComparer.Ordinal);

    public AddressSet Address(string text)
    {
        if (_addresses.TryGetValue(text, out var cached)) return cached;
        var set = ParseAddress(text, 0);
        _addresses[text] = set;
        return set;
    }

    public PortSet Port(string text)
    {
        if (_ports.TryGetValue(text, out var cached)) return cached;
        var bits = ParsePort(text, 0);
        bool all = Array.TrueForAll(bits, w => w == ulong.MaxValue);
        var set = all ? PortSet.Any : new PortSet(bits, false);
        _ports[text] = set;
        return set;
    }

    private AddressSet ParseAddress(string text, int depth)
    {
        if (depth > 16) throw new RuleRejectedException("variable nesting too deep", text);
        var include = new List<Cidr>();
        var exclude = new List<Cidr>();
        var includeLists = new List<AddressSet>();
        var excludeLists = new List<AddressSet>();
        bool all = false;
        foreach (string raw in Elements(text))
        {
            string e = raw;
            bool neg = false;
            while (e.StartsWith('!'))
            {
                neg = !neg;
                e = e[1..].Trim();
            }
            if (e == "any")
            {
                if (neg) throw new RuleRejectedException("!any matches nothing");
                all = true;
                continue;
            }
            if (e.StartsWith('$') || e.StartsWith('['))
            {
                string inner = e.StartsWith('$') ? Lookup(e[1..]) : e;
                var list = ParseAddress(inner, depth + 1);
                (neg ? excludeLists : includeLists).Add(list);
                continue;
            }
            if (!Cidr.TryParse(e, out var c)) throw new RuleRejectedException("bad address", e);
            (neg ? exclude : include).Add(c);
        }
        return new AddressSet([.. include], [.. exclude], [.. includeLists], [.. excludeLists], all);
    }

    private ulong[] ParsePort(string text, int depth)
    {
        if (depth > 16) throw new RuleRejectedException("variable nesting too deep", text);
        ulong[]? plus = null;
        var minus = new ulong[1024];
        foreach (string raw in Elements(text))
        {
            string e = raw;
            bool neg = false;
            while (e.StartsWith('!'))
            {
                neg = !neg;
                e = e[1..].Trim();
            }
            ulong[] part;
            if (e == "any")
            {
                if (neg) throw new RuleRejectedException("!any matches nothing");
                part = PortSet.AllBits();
            }
            else if (e.StartsWith('$') || e.StartsWith('['))
            {
                part = ParsePort(e.StartsWith('$') ? Lookup(e[1..]) : e, depth + 1);
            }
            else
            {
                part = new ulong[1024];
                int colon = e.IndexOf(':', StringComparison.Ordinal);
                int lo, hi;
                if (colon < 0)
                {
                    lo = hi = PortNumber(e);
                }
                else
                {
                    lo = colon == 0 ? 0 : PortNumber(e[..colon]);
                    hi = colon == e.Length - 1 ? 65535 : PortNumber(e[(colon + 1)..]);
                }
                if (lo > hi) throw new RuleRejectedException("bad port range", e);
                for (int p = lo; p <= hi; p++) part[p >> 6] |= 1UL << (p & 63);
            }
            var target = neg ? minus : (plus ??= new ulong[1024]);
            for (int w = 0; w < 1024; w++) target[w] |= part[w];
        }
        var result = plus ?? PortSet.AllBits();
        for (int w = 0; w < 1024; w++) result[w] &= ~minus[w];
        return result;
    }

    private static int PortNumber(string s)
    {
        if (!int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 65535)
            throw new RuleRejectedException("bad port", s);
        return p;
    }

    private string Lookup(string name)
    {
        if (!variables.TryGet(name, out string v)) throw new RuleRejectedException("undefined variable", "$" + name);
        return v;
    }

    /// <summary>Top-level elements of a field: <c>[a,[b,c],!d]</c> → a, [b,c], !d; a bare field is one element.</summary>
    private static List<string> Elements(string text)
    {
        string t = text.Trim();
        var list = new List<string>();
        if (!(t.StartsWith('[') && t.EndsWith(']')))
        {
            // "!$X" or "!1.2.3.4" or "![..]": one element.
            list.Add(t);
            return list;
        }
        t = t[1..^1];
        int level = 0, start = 0;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == '[') level++;
            else if (t[i] == ']') level--;
            else if (t[i] == ',' && level == 0)
            {
                Add(list, t[start..i]);
                start = i + 1;
            }
        }
        Add(list, t[start..]);
        if (level != 0) throw new RuleRejectedException("unbalanced brackets", text);
        return list;

        static void Add(List<string> l, string s)
        {
            s = s.Trim();
            if (s.Length > 0) l.Add(s);
        }
    }
}
