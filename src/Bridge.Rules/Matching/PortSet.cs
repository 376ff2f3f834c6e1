namespace Bridge.Rules.Matching;

/// <summary>
/// A rule header port field compiled to a 65 536-bit map, so a header check is one bit test.
/// Identical fields share one instance (the parser interns them by text).
/// </summary>
public sealed class PortSet
{
    private readonly ulong[] _bits;

    public static readonly PortSet Any = new(AllBits(), isAny: true);

    internal PortSet(ulong[] bits, bool isAny)
    {
        _bits = bits;
        IsAny = isAny;
    }

    public bool IsAny { get; }

    /// <summary>The map itself, for the inspector's packed per-rule header gates.</summary>
    internal ulong[] Bits => _bits;

    public bool Contains(ushort port) => (_bits[port >> 6] & (1UL << (port & 63))) != 0;

    /// <summary>Number of ports in the set (used to choose a rule's port group).</summary>
    public int Count
    {
        get
        {
            int n = 0;
            foreach (ulong w in _bits) n += System.Numerics.BitOperations.PopCount(w);
            return n;
        }
    }

    /// <summary>The ports in the set, ascending.</summary>
    public IEnumerable<ushort> Ports()
    {
        for (int p = 0; p < 65536; p++)
        {
            if (Contains((ushort)p)) yield return (ushort)p;
        }
    }

    internal static ulong[] AllBits()
    {
        var b = new ulong[1024];
        Array.Fill(b, ulong.MaxValue);
        return b;
    }
}
