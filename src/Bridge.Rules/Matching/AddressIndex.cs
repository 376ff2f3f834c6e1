using Bridge.Packets;

namespace Bridge.Rules.Matching;

/// <summary>
/// Rules by IPv4 network: one hash lookup per distinct prefix length in use finds the rules whose
/// address list contains an address. A bitmap of the /16 blocks any listed network touches comes
/// first: ET Open's TCP lists use 14 prefix lengths, so the lookups cost ~0.3 µs per packet, and
/// almost no packet's address is on a reputation list. Read-only after build; lookups allocate nothing.
/// </summary>
internal sealed class AddressIndex
{
    private readonly int[] _lengths;
    private readonly Dictionary<ulong, int[]> _rules;
    private readonly ulong[] _blocks = new ulong[65536 / 64];

    public AddressIndex(int[] lengths, Dictionary<ulong, int[]> rules)
    {
        _lengths = lengths;
        _rules = rules;
        foreach (ulong key in rules.Keys)
        {
            uint network = (uint)key;
            int length = (int)(key >> 32);
            // A network shorter than /16 covers 2^(16 - length) blocks; a longer one lies inside one.
            uint first = network >> 16, count = length >= 16 ? 1u : 1u << (16 - length);
            for (uint b = first; b < first + count; b++) _blocks[b >> 6] |= 1UL << (int)(b & 63);
        }
    }

    public static ulong Key(uint network, int length) => ((ulong)length << 32) | network;

    public static uint Mask(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);

    /// <summary>Adds every rule listing a network that contains <paramref name="address"/>.</summary>
    public void Collect(IpAddr address, ref CandidateSink sink)
    {
        if (_lengths.Length == 0 || !address.IsV4) return;
        uint a = address.V4;
        uint block = a >> 16;
        if ((_blocks[block >> 6] & (1UL << (int)(block & 63))) == 0) return;
        foreach (int len in _lengths)
        {
            if (_rules.TryGetValue(Key(a & Mask(len), len), out var rules)) sink.AddAll(rules);
        }
    }
}

internal sealed class AddressIndexBuilder
{
    private readonly Dictionary<ulong, List<int>> _rules = [];
    private readonly SortedSet<int> _lengths = [];

    public void Add(List<(uint Network, int Length)> networks, int rule)
    {
        foreach (var (net, len) in networks)
        {
            _lengths.Add(len);
            ulong key = AddressIndex.Key(net & AddressIndex.Mask(len), len);
            if (!_rules.TryGetValue(key, out var list)) _rules[key] = list = [];
            if (list.Count == 0 || list[^1] != rule) list.Add(rule);
        }
    }

    public AddressIndex Build() =>
        new([.. _lengths.Reverse()], _rules.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
}
