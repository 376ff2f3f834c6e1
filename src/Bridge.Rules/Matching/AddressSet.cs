using Bridge.Packets;

namespace Bridge.Rules.Matching;

/// <summary>
/// A rule header address field: <c>any</c>, CIDRs, lists, nesting and negation. A list matches an
/// address inside one of its positive entries (or any address when it has none) and inside none
/// of its negated entries, which is how Snort reads <c>[10.0.0.0/8,!10.1.1.1]</c>.
/// </summary>
public sealed class AddressSet
{
    public static readonly AddressSet Any = new([], [], [], [], matchesAll: true);

    private readonly Cidr[] _include;
    private readonly Cidr[] _exclude;
    private readonly AddressSet[] _includeLists;
    private readonly AddressSet[] _excludeLists;
    private readonly bool _matchesAll;

    internal AddressSet(Cidr[] include, Cidr[] exclude, AddressSet[] includeLists, AddressSet[] excludeLists, bool matchesAll)
    {
        _include = include;
        _exclude = exclude;
        _includeLists = includeLists;
        _excludeLists = excludeLists;
        _matchesAll = matchesAll;
    }

    public bool IsAny => _matchesAll && _exclude.Length == 0 && _excludeLists.Length == 0;

    /// <summary>
    /// Adds the set's IPv4 networks (prefix, length) when it is a plain positive list (no any, no
    /// negation, no IPv6) and returns true; such rules can be found through an address index.
    /// </summary>
    internal bool TryCollectV4(List<(uint Network, int Length)> into)
    {
        if (_matchesAll || _exclude.Length > 0 || _excludeLists.Length > 0) return false;
        if (_include.Length == 0 && _includeLists.Length == 0) return false;
        foreach (var c in _include)
        {
            if (!c.Network.IsV4) return false;
            into.Add((c.Network.V4, System.Numerics.BitOperations.PopCount(c.Mask.V4)));
        }
        foreach (var l in _includeLists)
        {
            if (!l.TryCollectV4(into)) return false;
        }
        return true;
    }

    public bool Contains(IpAddr a)
    {
        bool inside = _matchesAll || (_include.Length == 0 && _includeLists.Length == 0);
        if (!inside)
        {
            foreach (var c in _include)
            {
                if (c.Contains(a)) { inside = true; break; }
            }
        }
        if (!inside)
        {
            foreach (var l in _includeLists)
            {
                if (l.Contains(a)) { inside = true; break; }
            }
        }
        if (!inside) return false;
        foreach (var c in _exclude)
        {
            if (c.Contains(a)) return false;
        }
        foreach (var l in _excludeLists)
        {
            if (l.Contains(a)) return false;
        }
        return true;
    }
}

/// <summary>One network: address and mask in the 128-bit (v4-mapped) space.</summary>
internal readonly record struct Cidr(IpAddr Network, IpAddr Mask)
{
    public bool Contains(IpAddr a) => a.And(Mask) == Network;

    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        int slash = text.IndexOf('/');
        string addr = slash < 0 ? text : text[..slash];
        if (!IpAddr.TryParse(addr, out var ip)) return false;
        bool v4 = ip.IsV4;
        int max = v4 ? 32 : 128;
        int bits = max;
        if (slash >= 0)
        {
            string len = text[(slash + 1)..];
            if (!int.TryParse(len, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) || bits > max)
            {
                // Snort also takes a dotted netmask after the slash.
                if (!v4 || !IpAddr.TryParse(len, out var dotted) || !dotted.IsV4) return false;
                var m = IpAddr.V4Mask(dotted.V4);
                cidr = new Cidr(ip.And(m), m);
                return true;
            }
        }
        var mask = v4 ? IpAddr.V4Mask(bits == 0 ? 0u : uint.MaxValue << (32 - bits)) : IpAddr.PrefixMask(bits);
        cidr = new Cidr(ip.And(mask), mask);
        return true;
    }
}
