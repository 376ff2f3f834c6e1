using System.Numerics;
using System.Runtime.CompilerServices;
using Bridge.Packets;

namespace Bridge.Pipeline.Acl;

/// <summary>
/// Bit-vector classification (Lakshman and Stiliadis) of one access-list's active L3 leaves, with
/// aggregated summaries: each field's value space is cut into elementary intervals, each interval
/// points at the bitset of the leaves that accept it, and a lookup ANDs one bitset per field and
/// takes the lowest set bit (the first leaf in list order, i.e. first-match semantics). A summary
/// bit per 64-bit word says "this word is non-zero", so the AND visits only the words every field
/// has something in. Fields: protocol with the key's has-ports/has-ICMP flags, source, destination,
/// source port, destination port, ICMP type/code; fields no leaf constrains are left out.
/// Identical bitsets (the gaps between host entries all carry just the wildcard leaves) are stored
/// once. Built off the data path; immutable; <see cref="Match"/> allocates nothing.
/// </summary>
internal sealed class BitVectorClassifier
{
    // Where IPv4-mapped addresses live in the 128-bit space; v6-only operands exclude it.
    private static readonly UInt128 V4First = new(0, 0x0000_FFFF_0000_0000UL);
    private static readonly UInt128 V4Last = new(0, 0x0000_FFFF_FFFF_FFFFUL);

    private const int HasPortsFlag = 0x100;
    private const int HasIcmpFlag = 0x200;
    private const ulong ProtocolDomainMax = 0x3FF;

    private readonly int[] _leaf;
    private readonly int _words;
    private readonly int _summaryWords;
    private readonly ulong[] _bits;
    private readonly ulong[] _summary;
    private readonly Field<ulong> _protocol;
    private readonly Field<UInt128>? _src;
    private readonly Field<UInt128>? _dst;
    private readonly Field<ulong>? _srcPort;
    private readonly Field<ulong>? _dstPort;
    private readonly Field<ulong>? _icmp;

    private BitVectorClassifier(int[] leaf, int words, BitsetStore store, Field<ulong> protocol, Field<UInt128>? src,
        Field<UInt128>? dst, Field<ulong>? srcPort, Field<ulong>? dstPort, Field<ulong>? icmp)
    {
        _leaf = leaf;
        _words = words;
        _summaryWords = (words + 63) >> 6;
        (_bits, _summary) = store.Freeze(_summaryWords);
        _protocol = protocol;
        _src = src;
        _dst = dst;
        _srcPort = srcPort;
        _dstPort = dstPort;
        _icmp = icmp;
    }

    /// <summary>Leaves classified.</summary>
    public int Count => _leaf.Length;

    /// <summary>Distinct bitsets stored (after sharing identical ones).</summary>
    public int Bitsets => _bits.Length / _words;

    /// <summary>Bytes held by the bitsets, summaries, interval tables and the leaf map.</summary>
    public long Bytes =>
        (_bits.Length + _summary.Length) * 8L + _leaf.Length * 4L
        + _protocol.Bytes + (_src?.Bytes ?? 0) + (_dst?.Bytes ?? 0)
        + (_srcPort?.Bytes ?? 0) + (_dstPort?.Bytes ?? 0) + (_icmp?.Bytes ?? 0);

    /// <summary>The leaf index of the first leaf (in list order) that accepts <paramref name="key"/>, or -1.</summary>
    public int Match(in AclKey key)
    {
        Span<int> rows = stackalloc int[6];
        int n = 0;
        int proto = key.Protocol | (key.HasPorts ? HasPortsFlag : 0) | (key.HasIcmp ? HasIcmpFlag : 0);
        rows[n++] = _protocol.Find((ulong)proto);
        if (_src is not null) rows[n++] = _src.Find(new UInt128(key.Src.Hi, key.Src.Lo));
        if (_dst is not null) rows[n++] = _dst.Find(new UInt128(key.Dst.Hi, key.Dst.Lo));
        // Without ports (or ICMP) the protocol row already excluded every leaf that needs them.
        if (key.HasPorts)
        {
            if (_srcPort is not null) rows[n++] = _srcPort.Find(key.SrcPort);
            if (_dstPort is not null) rows[n++] = _dstPort.Find(key.DstPort);
        }
        if (key.HasIcmp && _icmp is not null) rows[n++] = _icmp.Find((ulong)((key.IcmpType << 8) | key.IcmpCode));
        rows = rows[..n];

        ulong[] bits = _bits;
        ulong[] summary = _summary;
        int words = _words;
        int summaryWords = _summaryWords;
        for (int s = 0; s < summaryWords; s++)
        {
            ulong candidates = ulong.MaxValue;
            for (int k = 0; k < rows.Length; k++)
            {
                candidates &= summary[rows[k] * summaryWords + s];
            }
            while (candidates != 0)
            {
                int w = (s << 6) + BitOperations.TrailingZeroCount(candidates);
                ulong hit = ulong.MaxValue;
                for (int k = 0; k < rows.Length; k++)
                {
                    hit &= bits[rows[k] * words + w];
                }
                if (hit != 0)
                {
                    return _leaf[(w << 6) + BitOperations.TrailingZeroCount(hit)];
                }
                candidates &= candidates - 1;
            }
        }
        return -1;
    }

    /// <summary>Builds the classifier over <paramref name="aces"/>, which are in evaluation order.</summary>
    public static BitVectorClassifier Build(ReadOnlySpan<CompiledPolicy.L3Ace> aces)
    {
        int n = aces.Length;
        int words = Math.Max(1, (n + 63) >> 6);
        var store = new BitsetStore(words);
        var all = new ulong[words];
        for (int i = 0; i < n; i++)
        {
            all[i >> 6] |= 1UL << i;
        }
        int allId = store.Intern(all);

        var leaf = new int[n];
        var protocol = new List<(ulong, ulong)>[n];
        var src = new List<(UInt128, UInt128)>[n];
        var dst = new List<(UInt128, UInt128)>[n];
        var srcPort = new List<(ulong, ulong)>[n];
        var dstPort = new List<(ulong, ulong)>[n];
        var icmp = new List<(ulong, ulong)>[n];
        for (int i = 0; i < n; i++)
        {
            ref readonly var a = ref aces[i];
            leaf[i] = a.Index;
            protocol[i] = ProtocolSet(a);
            src[i] = AddressSet(a.SrcLo, a.SrcHi, a.SrcV6Only);
            dst[i] = AddressSet(a.DstLo, a.DstHi, a.DstV6Only);
            srcPort[i] = a.CheckPorts ? PortSet(a.SpLo, a.SpHi, a.SpNegate) : [(0, ushort.MaxValue)];
            dstPort[i] = a.CheckPorts ? PortSet(a.DpLo, a.DpHi, a.DpNegate) : [(0, ushort.MaxValue)];
            icmp[i] = IcmpSet(a.IcmpType, a.IcmpCode);
        }

        var protocolField = Field<ulong>.Build(protocol, ProtocolDomainMax, static v => v + 1, store);
        return new BitVectorClassifier(leaf, words, store, protocolField,
            Field<UInt128>.Build(src, UInt128.MaxValue, static v => v + 1, store).OrNullIfAll(allId),
            Field<UInt128>.Build(dst, UInt128.MaxValue, static v => v + 1, store).OrNullIfAll(allId),
            Field<ulong>.Build(srcPort, ushort.MaxValue, static v => v + 1, store).OrNullIfAll(allId),
            Field<ulong>.Build(dstPort, ushort.MaxValue, static v => v + 1, store).OrNullIfAll(allId),
            Field<ulong>.Build(icmp, ushort.MaxValue, static v => v + 1, store).OrNullIfAll(allId));
    }

    // The protocol field's value is protocol | has-ports << 8 | has-ICMP << 9, so a leaf that needs
    // ports (or an ICMP type) simply does not accept the key values without them.
    private static List<(ulong, ulong)> ProtocolSet(in CompiledPolicy.L3Ace a)
    {
        var set = new List<(ulong, ulong)>(4);
        for (int flags = 0; flags < 4; flags++)
        {
            bool hasPorts = (flags & 1) != 0, hasIcmp = (flags & 2) != 0;
            if ((a.CheckPorts && !hasPorts) || (a.IcmpType >= 0 && !hasIcmp))
            {
                continue;
            }
            ulong basis = (ulong)((hasPorts ? HasPortsFlag : 0) | (hasIcmp ? HasIcmpFlag : 0));
            if (a.Protocol < 0)
            {
                set.Add((basis, basis | 0xFF));
            }
            else if (a.Protocol <= 0xFF)
            {
                ulong value = basis | (ushort)a.Protocol;
                set.Add((value, value));
            }
        }
        return set;
    }

    private static List<(UInt128, UInt128)> AddressSet(IpAddr lo, IpAddr hi, bool v6Only)
    {
        var first = new UInt128(lo.Hi, lo.Lo);
        var last = new UInt128(hi.Hi, hi.Lo);
        var set = new List<(UInt128, UInt128)>(2);
        if (first > last)
        {
            return set;
        }
        if (!v6Only || last < V4First || first > V4Last)
        {
            set.Add((first, last));
            return set;
        }
        // A v6 operand never matches an IPv4-mapped key: cut the v4-mapped block out of its range.
        if (first < V4First)
        {
            set.Add((first, V4First - 1));
        }
        if (last > V4Last)
        {
            set.Add((V4Last + 1, last));
        }
        return set;
    }

    private static List<(ulong, ulong)> PortSet(ushort lo, ushort hi, bool negate)
    {
        if (!negate)
        {
            return lo <= hi ? [(lo, hi)] : [];
        }
        var set = new List<(ulong, ulong)>(2);
        if (lo > 0)
        {
            set.Add((0, (ulong)lo - 1));
        }
        if (hi < ushort.MaxValue)
        {
            set.Add(((ulong)hi + 1, ushort.MaxValue));
        }
        if (lo > hi)
        {
            // An empty range negated accepts every port.
            set.Clear();
            set.Add((0, ushort.MaxValue));
        }
        return set;
    }

    // ICMP value: type << 8 | code; a leaf with a type but no code accepts the type's 256 codes.
    private static List<(ulong, ulong)> IcmpSet(short type, short code)
    {
        if (type < 0)
        {
            return [(0, ushort.MaxValue)];
        }
        if (type > 0xFF || code > 0xFF)
        {
            return [];
        }
        ulong basis = (ulong)type << 8;
        ulong exact = basis | (ushort)code;
        return code < 0 ? [(basis, basis | 0xFF)] : [(exact, exact)];
    }

    /// <summary>One field: sorted interval starts (the first is the domain's 0) and each interval's bitset id.</summary>
    private sealed class Field<T>
        where T : struct, IComparisonOperators<T, T, bool>, IComparable<T>
    {
        private readonly T[] _starts;
        private readonly int[] _rows;

        private Field(T[] starts, int[] rows)
        {
            _starts = starts;
            _rows = rows;
        }

        public long Bytes => _starts.Length * (long)Unsafe.SizeOf<T>() + _rows.Length * 4L;

        /// <summary>The bitset id of the interval holding <paramref name="value"/>.</summary>
        public int Find(T value)
        {
            T[] starts = _starts;
            int lo = 0, hi = starts.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) >>> 1;
                if (starts[mid] <= value)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return _rows[lo];
        }

        /// <summary>Null when every interval carries every leaf: the field decides nothing.</summary>
        public Field<T>? OrNullIfAll(int allId)
        {
            foreach (int r in _rows)
            {
                if (r != allId)
                {
                    return this;
                }
            }
            return null;
        }

        /// <summary>
        /// Sweeps the value space once: each leaf's bit is toggled where one of its (disjoint)
        /// intervals starts and just after it ends, so adjacent intervals of one leaf cancel out.
        /// </summary>
        public static Field<T> Build(List<(T Lo, T Hi)>[] sets, T max, Func<T, T> next, BitsetStore store)
        {
            var bounds = new List<T> { default };
            foreach (var set in sets)
            {
                foreach (var (lo, hi) in set)
                {
                    bounds.Add(lo);
                    if (hi < max)
                    {
                        bounds.Add(next(hi));
                    }
                }
            }
            bounds.Sort();
            var starts = new List<T>(bounds.Count);
            foreach (var b in bounds)
            {
                if (starts.Count == 0 || starts[^1] != b)
                {
                    starts.Add(b);
                }
            }
            var startArray = starts.ToArray();

            var eventAt = new List<int>();
            var eventBit = new List<int>();
            for (int i = 0; i < sets.Length; i++)
            {
                foreach (var (lo, hi) in sets[i])
                {
                    eventAt.Add(Array.BinarySearch(startArray, lo));
                    eventBit.Add(i);
                    if (hi < max)
                    {
                        eventAt.Add(Array.BinarySearch(startArray, next(hi)));
                        eventBit.Add(i);
                    }
                }
            }
            var at = eventAt.ToArray();
            var bit = eventBit.ToArray();
            Array.Sort(at, bit);

            var current = new ulong[store.Words];
            var rows = new int[startArray.Length];
            int e = 0;
            for (int k = 0; k < startArray.Length; k++)
            {
                for (; e < at.Length && at[e] == k; e++)
                {
                    current[bit[e] >> 6] ^= 1UL << bit[e];
                }
                rows[k] = store.Intern(current);
            }
            return new Field<T>(startArray, rows);
        }
    }

    /// <summary>Bitsets of one classifier, stored once each, in one flat array.</summary>
    private sealed class BitsetStore(int words)
    {
        private readonly List<ulong> _bits = [];
        private readonly Dictionary<ulong, int> _firstByHash = [];
        private readonly List<int> _nextSameHash = [];

        public int Words => words;

        public int Intern(ReadOnlySpan<ulong> set)
        {
            ulong h = 14695981039346656037UL;
            foreach (ulong w in set)
            {
                h = (h ^ w) * 1099511628211UL;
                h ^= h >> 29;
            }
            int id = -1;
            if (_firstByHash.TryGetValue(h, out int candidate))
            {
                for (int c = candidate; c >= 0; c = _nextSameHash[c])
                {
                    if (Same(c, set))
                    {
                        return c;
                    }
                    id = c;
                }
            }
            int created = _nextSameHash.Count;
            foreach (ulong w in set)
            {
                _bits.Add(w);
            }
            _nextSameHash.Add(-1);
            if (id >= 0)
            {
                _nextSameHash[id] = created;
            }
            else
            {
                _firstByHash[h] = created;
            }
            return created;
        }

        private bool Same(int id, ReadOnlySpan<ulong> set)
        {
            int offset = id * words;
            for (int i = 0; i < set.Length; i++)
            {
                if (_bits[offset + i] != set[i])
                {
                    return false;
                }
            }
            return true;
        }

        public (ulong[] Bits, ulong[] Summary) Freeze(int summaryWords)
        {
            var bits = _bits.ToArray();
            int count = _nextSameHash.Count;
            var summary = new ulong[count * summaryWords];
            for (int id = 0; id < count; id++)
            {
                for (int w = 0; w < words; w++)
                {
                    if (bits[id * words + w] != 0)
                    {
                        summary[id * summaryWords + (w >> 6)] |= 1UL << w;
                    }
                }
            }
            return (bits, summary);
        }
    }
}
