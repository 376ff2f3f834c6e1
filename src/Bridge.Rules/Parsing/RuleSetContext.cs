namespace Bridge.Rules.Parsing;

/// <summary>
/// State shared by all rules of one load: flowbit names and groups (bits are numbered across the
/// whole set) and the classification table.
/// </summary>
internal sealed class RuleSetContext
{
    private readonly Dictionary<string, int> _bits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlowbitGroup> _groups = new(StringComparer.Ordinal);

    public Classifications Classifications { get; } = new();

    public int BitCount => _bits.Count;

    public int Bit(string name)
    {
        if (!_bits.TryGetValue(name, out int b))
        {
            b = _bits.Count;
            _bits[name] = b;
        }
        return b;
    }

    public FlowbitGroup Group(string name)
    {
        if (!_groups.TryGetValue(name, out var g))
        {
            g = new FlowbitGroup(name);
            _groups[name] = g;
        }
        return g;
    }

    /// <summary>Words of flowbit storage each flow needs.</summary>
    public int Words => Math.Max(1, (BitCount + 63) / 64);

    /// <summary>Fixes every group's bit mask once all rules are read.</summary>
    public void Finish()
    {
        foreach (var g in _groups.Values) g.Freeze(Words);
    }
}

/// <summary>A flowbits group: the bits that rules set with this group name.</summary>
internal sealed class FlowbitGroup(string name)
{
    private readonly HashSet<int> _members = [];

    public string Name { get; } = name;
    public ulong[] Mask { get; private set; } = [];

    public void Add(int bit) => _members.Add(bit);

    public void Freeze(int words)
    {
        var mask = new ulong[words];
        foreach (int b in _members) mask[b >> 6] |= 1UL << (b & 63);
        Mask = mask;
    }
}
