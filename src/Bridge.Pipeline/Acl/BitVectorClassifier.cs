using System.Numerics;
using System.Runtime.CompilerServices;
using Bridge.Packets;

namespace Bridge.Pipeline.Acl;

/// <summary>
/// Bit-vector classification (Lakshman and Stiliadis) of one access-list's active L3 leaves, with
/// aggregated summaries: each field's value space is cut into elementary intervals, each interval
/// points at the bitset of the leaves that accept it, and a lookup ANDs one bitset per field and
/// takes the lowest set bit (the first leaf in list order, i.e. first-match semantics). The AND
/// runs on 64-bit words; a summary bit per word says "this word is non-zero", so the AND visits
/// only the words every field has something in. Fields: protocol with the key's
/// has-ports/has-ICMP flags, source, destination, source port, destination port, ICMP type/code;
/// fields no leaf constrains are left out. Choices and measurements: Acl/NOTES.md.
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
    private const uint ProtocolDomainMax = 0x3FF;

    private readonly int[] _leaf;
    private readonly int _words;
    private readonly int _summaryWords;
    private readonly ulong[] _bits;
    private readonly ulong[] _summary;
    // Protocol with the flags is 10 bits: a direct table.
    private readonly int[] _protocol;
    private readonly AddressField? _src;
    private readonly AddressField? _dst;
    private readonly ScalarField? _srcPort;
    private readonly ScalarField? _dstPort;
    private readonly ScalarField? _icmp;

    private BitVectorClassifier(int[] leaf, int words, BitsetStore store, int[] protocol, AddressField? src,
        AddressField? dst, ScalarField? srcPort, ScalarField? dstPort, ScalarField? icmp)
    {
        _leaf = leaf;
        _words = words;
        _summaryWords = (_words + 63) >> 6;
        (_bits, _summary) = store.Freeze(_summaryWords);
        _protocol = protocol;
        _src = src;
        _dst = dst;
        _srcPort = srcPort;
        _dstPort = dstPort;
        _icmp = icmp;
    }

    /// <summary>Distinct bitsets stored (after sharing identical ones).</summary>
    public int Bitsets => _bits.Length / _words;

    /// <summary>Bytes held by the bitsets, summaries, interval tables and the leaf map.</summary>
    public long Bytes =>
        (_bits.Length + _summary.Length) * 8L + _leaf.Length * 4L
        + _protocol.Length * 4L + (_src?.Bytes ?? 0) + (_dst?.Bytes ?? 0)
        + (_srcPort?.Bytes ?? 0) + (_dstPort?.Bytes ?? 0) + (_icmp?.Bytes ?? 0);

    /// <summary>The leaf index of the first leaf (in list order) that accepts <paramref name="key"/>, or -1.</summary>
    public int Match(in AclKey key)
    {
        Span<int> rows = stackalloc int[6];
        int n = 0;
        uint proto = key.Protocol | (key.HasPorts ? HasPortsFlag : 0u) | (key.HasIcmp ? HasIcmpFlag : 0u);
        rows[n++] = _protocol[proto];
        if (_src is not null) rows[n++] = _src.Find(key.Src);
        if (_dst is not null) rows[n++] = _dst.Find(key.Dst);
        // Without ports (or ICMP) the protocol row already excluded every leaf that needs them.
        if (key.HasPorts)
        {
            if (_srcPort is not null) rows[n++] = _srcPort.Find(key.SrcPort);
            if (_dstPort is not null) rows[n++] = _dstPort.Find(key.DstPort);
        }
        if (key.HasIcmp && _icmp is not null) rows[n++] = _icmp.Find((uint)((key.IcmpType << 8) | key.IcmpCode));
        // Fields left out repeat the first row (ANDing a row with itself changes nothing), so the
        // AND below is always six rows, straight-line, with no per-field loop.
        for (int k = n; k < rows.Length; k++)
        {
            rows[k] = rows[0];
        }

        // One summary bit per 64-bit word: ANDing the summaries first leaves only the words where
        // every field has a leaf, which for a last-line hit or a deny is a fifth of them or less.
        ReadOnlySpan<ulong> bits = _bits;
        int words = _words;
        var r0 = bits.Slice(rows[0] * words, words);
        var r1 = bits.Slice(rows[1] * words, words);
        var r2 = bits.Slice(rows[2] * words, words);
        var r3 = bits.Slice(rows[3] * words, words);
        var r4 = bits.Slice(rows[4] * words, words);
        var r5 = bits.Slice(rows[5] * words, words);
        ReadOnlySpan<ulong> summary = _summary;
        int summaryWords = _summaryWords;
        for (int s = 0; s < summaryWords; s++)
        {
            ulong candidates = summary[rows[0] * summaryWords + s] & summary[rows[1] * summaryWords + s]
                & summary[rows[2] * summaryWords + s] & summary[rows[3] * summaryWords + s]
                & summary[rows[4] * summaryWords + s] & summary[rows[5] * summaryWords + s];
            while (candidates != 0)
            {
                int w = (s << 6) + BitOperations.TrailingZeroCount(candidates);
                ulong hit = r0[w] & r1[w] & r2[w] & r3[w] & r4[w] & r5[w];
                if (hit != 0)
                {
                    return _leaf[(w << 6) + BitOperations.TrailingZeroCount(hit)];
                }
                candidates &= candidates - 1;
            }
        }
        return -1;
    }

    /// <summary>
    /// Bitsets grow as (distinct operands) x (leaves): past this many bytes a list is scanned instead
    /// (about 200 000 distinct bitsets at 10 000 leaves, far beyond any measured list).
    /// </summary>
    public const long MaxBitsetBytes = 256L << 20;

    /// <summary>
    /// Builds the classifier over <paramref name="aces"/>, which are in evaluation order, or returns
    /// null when its bitsets would exceed <paramref name="maxBitsetBytes"/>.
    /// </summary>
    public static BitVectorClassifier? Build(ReadOnlySpan<CompiledPolicy.L3Ace> aces, long maxBitsetBytes = MaxBitsetBytes)
    {
        int n = aces.Length;
        int words = Math.Max(1, (n + 63) >> 6);
        var store = new BitsetStore(words, maxBitsetBytes);
        var all = new ulong[words];
        for (int i = 0; i < n; i++)
        {
            all[i >> 6] |= 1UL << i;
        }
        int allId = store.Intern(all);

        var leaf = new int[n];
        // Each field's accepted intervals, flat: (first, last, leaf bit); one leaf's are disjoint.
        var protocol = new List<Span128>(n * 2);
        var src = new List<Span128>(n);
        var dst = new List<Span128>(n);
        var srcPort = new List<Span128>(n);
        var dstPort = new List<Span128>(n);
        var icmp = new List<Span128>(n);
        for (int i = 0; i < n; i++)
        {
            ref readonly var a = ref aces[i];
            leaf[i] = a.Index;
            ProtocolSet(a, i, protocol);
            AddressSet(a.SrcLo, a.SrcHi, a.SrcV6Only, i, src);
            AddressSet(a.DstLo, a.DstHi, a.DstV6Only, i, dst);
            PortSet(a.CheckPorts, a.SpLo, a.SpHi, a.SpNegate, i, srcPort);
            PortSet(a.CheckPorts, a.DpLo, a.DpHi, a.DpNegate, i, dstPort);
            IcmpSet(a.IcmpType, a.IcmpCode, i, icmp);
        }

        if (Intervals.Build(protocol, ProtocolDomainMax, store) is not { } protocolIntervals
            || Intervals.Build(src, UInt128.MaxValue, store) is not { } srcIntervals
            || Intervals.Build(dst, UInt128.MaxValue, store) is not { } dstIntervals
            || Intervals.Build(srcPort, ushort.MaxValue, store) is not { } srcPortIntervals
            || Intervals.Build(dstPort, ushort.MaxValue, store) is not { } dstPortIntervals
            || Intervals.Build(icmp, ushort.MaxValue, store) is not { } icmpIntervals)
        {
            return null;
        }
        var protocolTable = new int[ProtocolDomainMax + 1];
        for (uint value = 0; value <= ProtocolDomainMax; value++)
        {
            protocolTable[value] = protocolIntervals.Find(value);
        }
        return new BitVectorClassifier(leaf, words, store, protocolTable,
            AddressField.Of(srcIntervals, allId),
            AddressField.Of(dstIntervals, allId),
            ScalarField.Of(srcPortIntervals, allId),
            ScalarField.Of(dstPortIntervals, allId),
            ScalarField.Of(icmpIntervals, allId));
    }

    // The protocol field's value is protocol | has-ports << 8 | has-ICMP << 9, so a leaf that needs
    // ports (or an ICMP type) simply does not accept the key values without them.
    private static void ProtocolSet(in CompiledPolicy.L3Ace a, int bit, List<Span128> set)
    {
        for (int flags = 0; flags < 4; flags++)
        {
            bool hasPorts = (flags & 1) != 0, hasIcmp = (flags & 2) != 0;
            if ((a.CheckPorts && !hasPorts) || (a.IcmpType >= 0 && !hasIcmp))
            {
                continue;
            }
            uint basis = (uint)((hasPorts ? HasPortsFlag : 0) | (hasIcmp ? HasIcmpFlag : 0));
            if (a.Protocol < 0)
            {
                set.Add(new(basis, basis | 0xFF, bit));
            }
            else if (a.Protocol <= 0xFF)
            {
                uint value = basis | (ushort)a.Protocol;
                set.Add(new(value, value, bit));
            }
        }
    }

    private static void AddressSet(IpAddr lo, IpAddr hi, bool v6Only, int bit, List<Span128> set)
    {
        var first = new UInt128(lo.Hi, lo.Lo);
        var last = new UInt128(hi.Hi, hi.Lo);
        if (first > last)
        {
            return;
        }
        if (!v6Only || last < V4First || first > V4Last)
        {
            set.Add(new(first, last, bit));
            return;
        }
        // A v6 operand never matches an IPv4-mapped key: cut the v4-mapped block out of its range.
        if (first < V4First)
        {
            set.Add(new(first, V4First - 1, bit));
        }
        if (last > V4Last)
        {
            set.Add(new(V4Last + 1, last, bit));
        }
    }

    private static void PortSet(bool checkPorts, ushort lo, ushort hi, bool negate, int bit, List<Span128> set)
    {
        if (!checkPorts || (negate && lo > hi))
        {
            // Unconstrained, or an empty range negated: every port.
            set.Add(new(0, ushort.MaxValue, bit));
        }
        else if (!negate)
        {
            if (lo <= hi)
            {
                set.Add(new(lo, hi, bit));
            }
        }
        else
        {
            if (lo > 0)
            {
                set.Add(new(0, (uint)lo - 1, bit));
            }
            if (hi < ushort.MaxValue)
            {
                set.Add(new((uint)hi + 1, ushort.MaxValue, bit));
            }
        }
    }

    // ICMP value: type << 8 | code; a leaf with a type but no code accepts the type's 256 codes.
    private static void IcmpSet(short type, short code, int bit, List<Span128> set)
    {
        if (type < 0)
        {
            set.Add(new(0, ushort.MaxValue, bit));
        }
        else if (type <= 0xFF && code <= 0xFF)
        {
            uint basis = (uint)type << 8;
            uint exact = basis | (ushort)code;
            set.Add(code < 0 ? new(basis, basis | 0xFF, bit) : new(exact, exact, bit));
        }
    }

    /// <summary>An inclusive interval of a field's values accepted by leaf <see cref="Bit"/>.</summary>
    private readonly record struct Span128(UInt128 Lo, UInt128 Hi, int Bit);

    /// <summary>One field at build time: sorted interval starts (the first is 0) and each interval's bitset id.</summary>
    private readonly record struct Intervals(UInt128[] Starts, int[] Rows)
    {
        /// <summary>
        /// Sweeps the value space once: each leaf's bit is toggled where one of its (disjoint)
        /// intervals starts and just after it ends, so adjacent intervals of one leaf cancel out.
        /// </summary>
        /// <returns>Null when the store's byte budget ran out.</returns>
        public static Intervals? Build(List<Span128> spans, UInt128 max, BitsetStore store)
        {
            var bounds = new List<UInt128>(spans.Count * 2 + 1) { UInt128.Zero };
            foreach (var (lo, hi, _) in spans)
            {
                bounds.Add(lo);
                if (hi < max)
                {
                    bounds.Add(hi + 1);
                }
            }
            bounds.Sort();
            var starts = new List<UInt128>(bounds.Count);
            foreach (var b in bounds)
            {
                if (starts.Count == 0 || starts[^1] != b)
                {
                    starts.Add(b);
                }
            }
            var startArray = starts.ToArray();

            var eventAt = new List<int>(spans.Count * 2);
            var eventBit = new List<int>(spans.Count * 2);
            foreach (var (lo, hi, leaf) in spans)
            {
                eventAt.Add(Array.BinarySearch(startArray, lo));
                eventBit.Add(leaf);
                if (hi < max)
                {
                    eventAt.Add(Array.BinarySearch(startArray, hi + 1));
                    eventBit.Add(leaf);
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
                if (rows[k] < 0)
                {
                    return null;
                }
            }
            return new Intervals(startArray, rows);
        }

        /// <summary>The bitset id of the interval holding <paramref name="value"/> (build time only).</summary>
        public int Find(UInt128 value)
        {
            int at = Array.BinarySearch(Starts, value);
            return Rows[at >= 0 ? at : ~at - 1];
        }

        /// <summary>True when every interval carries every leaf: the field decides nothing.</summary>
        public bool IsAll(int allId)
        {
            foreach (int r in Rows)
            {
                if (r != allId)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Index of the last start not above <paramref name="value"/> (starts[0] is 0), without data-dependent branches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Floor(ReadOnlySpan<uint> starts, uint value)
    {
        int at = 0;
        int length = starts.Length;
        while (length > 1)
        {
            int half = length >> 1;
            at = starts[at + half] <= value ? at + half : at;
            length -= half;
        }
        return at;
    }

    /// <summary>A field whose values fit 32 bits (protocol with flags, ports, ICMP type/code).</summary>
    private sealed class ScalarField
    {
        private readonly uint[] _starts;
        private readonly int[] _rows;

        public ScalarField(Intervals intervals)
        {
            _starts = new uint[intervals.Starts.Length];
            for (int i = 0; i < _starts.Length; i++)
            {
                _starts[i] = (uint)intervals.Starts[i];
            }
            _rows = intervals.Rows;
        }

        public long Bytes => _starts.Length * 4L + _rows.Length * 4L;

        public static ScalarField? Of(Intervals intervals, int allId) => intervals.IsAll(allId) ? null : new ScalarField(intervals);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(uint value) => _rows[Floor(_starts, value)];
    }

    /// <summary>
    /// An address field. IPv4 keys (the common case) search a 32-bit table cut out of the IPv4-mapped
    /// block; IPv6 keys search the 128-bit starts.
    /// </summary>
    private sealed class AddressField
    {
        private readonly UInt128[] _starts;
        private readonly int[] _rows;
        private readonly uint[] _v4Starts;
        private readonly int[] _v4Rows;

        private AddressField(Intervals intervals)
        {
            _starts = intervals.Starts;
            _rows = intervals.Rows;
            // The interval holding the first v4-mapped address, then every start inside the block.
            int first = Array.BinarySearch(_starts, V4First);
            if (first < 0)
            {
                first = ~first - 1;
            }
            var v4Starts = new List<uint> { 0 };
            var v4Rows = new List<int> { _rows[first] };
            for (int i = first + 1; i < _starts.Length && _starts[i] <= V4Last; i++)
            {
                v4Starts.Add((uint)(_starts[i] - V4First));
                v4Rows.Add(_rows[i]);
            }
            _v4Starts = v4Starts.ToArray();
            _v4Rows = v4Rows.ToArray();
        }

        public long Bytes => _starts.Length * 16L + _rows.Length * 4L + _v4Starts.Length * 4L + _v4Rows.Length * 4L;

        public static AddressField? Of(Intervals intervals, int allId) => intervals.IsAll(allId) ? null : new AddressField(intervals);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(IpAddr address)
        {
            if (address.IsV4)
            {
                return _v4Rows[Floor(_v4Starts, address.V4)];
            }
            var value = new UInt128(address.Hi, address.Lo);
            UInt128[] starts = _starts;
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
    }

    /// <summary>Bitsets of one classifier, stored once each, in one flat array.</summary>
    private sealed class BitsetStore(int words, long maxBytes)
    {
        private readonly List<ulong> _bits = [];
        private readonly Dictionary<ulong, int> _firstByHash = [];
        private readonly List<int> _nextSameHash = [];

        public int Words => words;

        /// <summary>The id of <paramref name="set"/>, stored if new; -1 when storing it would pass the byte budget.</summary>
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
            if ((created + 1L) * words * sizeof(ulong) > maxBytes)
            {
                return -1;
            }
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
