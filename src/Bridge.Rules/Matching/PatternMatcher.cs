using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Bridge.Rules.Matching;

/// <summary>
/// Multi-pattern matcher over ASCII-case-folded bytes, built once and read-only afterwards. It
/// reports every pattern whose (first <see cref="MaxIndexedLength"/> bytes) occurs in the text,
/// which is all the candidate stage needs: which patterns, not where.
/// <para>
/// Layout (an anchored-q-gram filter with hash verification instead of an automaton, because an
/// automaton of 10 000+ patterns has ~10^5 states whose rows miss the cache on every byte):
/// each pattern of 4+ bytes is filed under one 4-byte window of itself, its <em>anchor</em>, chosen
/// at build time to be rare (bytes unlikely in traffic, windows few other patterns share). Per text
/// position the scan tests the window's first two bytes in a byte-per-pair gate, then the whole 4-byte
/// window in a 32 KiB hashed bitmap; only positions passing both look at the anchor table and
/// compare the pattern in full. Patterns of 2–3 bytes live in their own two-byte table, single
/// bytes are found with a vectorised search.
/// </para>
/// </summary>
public sealed class PatternMatcher
{
    /// <summary>Longest prefix of a pattern that is matched; candidates are verified by the rule anyway.</summary>
    public const int MaxIndexedLength = 48;

    /// <summary>Bytes of the window every long pattern is filed under.</summary>
    private const int Window = 4;

    /// <summary>log2 of the bits in the hashed window filter: 2^18 bits = 32 KiB, about L1/L2 size.</summary>
    private const int QuadBits = 18;

    /// <summary>log2 of the anchor-table buckets (taken from the top of the same hash).</summary>
    private const int BucketBits = 14;

    /// <summary>Slack after the folded text so the scan's 4-byte window never needs a bounds test.</summary>
    public const int ScratchPadding = Window;

    /// <summary>
    /// One byte per pair (1 = the pair starts a long anchor or a short pattern), indexed by the pair
    /// as the machine reads two bytes (<see cref="GateIndex"/>): the scan's first pass is one load per
    /// position with no bit arithmetic. 64 KiB, but text touches few rows: HTTP's ~96 printable
    /// bytes make ~12 KiB of hot lines.
    /// </summary>
    private readonly byte[] _pairGate = new byte[65536];
    private readonly ulong[] _pairShort = new ulong[65536 / 64];  // pair starts a 2- or 3-byte pattern
    private readonly ulong[] _quad = new ulong[(1 << QuadBits) / 64];
    private readonly int[] _bucketStart;      // anchors of bucket b: [_bucketStart[b], _bucketStart[b + 1])
    private readonly Anchor[] _anchors;
    private readonly int[] _shortStart;       // 2–3 byte patterns by pair hash, like the anchors
    private readonly ShortPattern[] _shorts;
    private readonly byte[] _singleBytes;     // one-byte patterns (folded), with their ids alongside
    private readonly int[] _singleIds;
    private readonly byte[] _folded;          // all indexed pattern prefixes, folded, back to back
    private readonly int[] _patternStart;     // pattern p: _folded[_patternStart[p] .. _patternStart[p + 1])

    /// <summary>
    /// A long pattern filed under the window at <paramref name="Offset"/>; <paramref name="Check"/> is
    /// another 4 bytes of it at <paramref name="CheckOffset"/> (relative to the pattern start), compared
    /// before the full pattern because common windows (" acce", "http") match far more often than
    /// their patterns do.
    /// </summary>
    private readonly record struct Anchor(uint Window, uint Check, int Pattern, short Offset, short CheckOffset);

    private readonly record struct ShortPattern(ushort Pair, byte Third, byte Length, int Pattern);

    private const int ShortBucketBits = 10;

    /// <summary>Index entries (anchors, short and single-byte patterns): the matcher's size in the load summary.</summary>
    public int StateCount => _anchors.Length + _shorts.Length + _singleBytes.Length;
    public int PatternCount { get; }

    /// <summary>Bytes held by the matcher's arrays.</summary>
    public long MemoryBytes =>
        _pairGate.Length + (_pairShort.Length + _quad.Length) * 8L + _bucketStart.Length * 4L + _anchors.Length * 16L
        + _shortStart.Length * 4L + _shorts.Length * 8L + _singleBytes.Length * 5L + _folded.Length + _patternStart.Length * 4L;

    public PatternMatcher(IReadOnlyList<byte[]> patterns)
    {
        PatternCount = patterns.Count;
        _patternStart = new int[patterns.Count + 1];
        var folded = new List<byte>();
        for (int p = 0; p < patterns.Count; p++)
        {
            _patternStart[p] = folded.Count;
            var pat = patterns[p];
            int n = Math.Min(pat.Length, MaxIndexedLength);
            for (int i = 0; i < n; i++) folded.Add(Fold(pat[i]));
        }
        _patternStart[patterns.Count] = folded.Count;
        _folded = [.. folded];

        // Long patterns: fewest choices first, so short ones get the rare windows before long ones crowd them.
        var byLength = new List<int>();
        var shorts = new List<ShortPattern>();
        var singleBytes = new List<byte>();
        var singleIds = new List<int>();
        for (int p = 0; p < patterns.Count; p++)
        {
            var f = Folded(p);
            switch (f.Length)
            {
                case 0: break;
                case 1: singleBytes.Add(f[0]); singleIds.Add(p); break;
                case 2 or 3:
                    ushort pair = (ushort)(f[0] | f[1] << 8);
                    shorts.Add(new ShortPattern(pair, f.Length == 3 ? f[2] : (byte)0, (byte)f.Length, p));
                    Set(_pairShort, pair);
                    _pairGate[GateIndex(pair)] = 1;
                    break;
                default: byLength.Add(p); break;
            }
        }
        byLength.Sort((a, b) => (_patternStart[a + 1] - _patternStart[a]).CompareTo(_patternStart[b + 1] - _patternStart[b]));
        // Windows many patterns contain ("http", "tion", "acce") are common in traffic too: the
        // pattern set is its own sample of what payloads look like.
        var seenIn = new Dictionary<uint, int>();
        foreach (int p in byLength)
        {
            var f = Folded(p);
            for (int k = 0; k + Window <= f.Length; k++)
            {
                uint w = WindowAt(f, k);
                seenIn[w] = seenIn.GetValueOrDefault(w) + 1;
            }
        }
        var sharing = new Dictionary<uint, int>();
        var anchors = new List<Anchor>(byLength.Count);
        foreach (int p in byLength)
        {
            var f = Folded(p);
            int best = 0, bestCost = int.MaxValue;
            for (int k = 0; k + Window <= f.Length; k++)
            {
                uint w = WindowAt(f, k);
                // The pair gates every position, so its bytes weigh double; a window frequent among
                // patterns is likely frequent in payloads; a shared window costs a comparison per sharer.
                int cost = 2 * (Commonness(f[k]) + Commonness(f[k + 1])) + Commonness(f[k + 2]) + Commonness(f[k + 3])
                    + 4 * BitOperations.Log2((uint)seenIn[w]) + 12 * sharing.GetValueOrDefault(w)
                    + (IsRun(w) ? 40 : 0);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = k;
                }
            }
            uint anchor = WindowAt(f, best);
            sharing[anchor] = sharing.GetValueOrDefault(anchor) + 1;
            // The check window: the 4 bytes after the anchor when they fit, else those before it
            // (they may overlap the anchor on patterns shorter than 8 bytes; the check is then weaker, never wrong).
            int check = best + 2 * Window <= f.Length ? best + Window : Math.Max(0, best - Window);
            anchors.Add(new Anchor(anchor, WindowAt(f, check), p, (short)best, (short)check));
            _pairGate[GateIndex((ushort)anchor)] = 1;
            uint h = Hash(anchor);
            Set(_quad, h);
        }
        _anchors = [.. anchors.OrderBy(a => Hash(a.Window) >> (QuadBits - BucketBits))];
        _bucketStart = Starts(_anchors.Length, 1 << BucketBits, i => (int)(Hash(_anchors[i].Window) >> (QuadBits - BucketBits)));
        _shorts = [.. shorts.OrderBy(s => ShortBucket(s.Pair))];
        _shortStart = Starts(_shorts.Length, 1 << ShortBucketBits, i => ShortBucket(_shorts[i].Pair));
        _singleBytes = [.. singleBytes];
        _singleIds = [.. singleIds];
    }

    private ReadOnlySpan<byte> Folded(int p) => _folded.AsSpan(_patternStart[p], _patternStart[p + 1] - _patternStart[p]);

    private static uint WindowAt(ReadOnlySpan<byte> f, int k) => (uint)(f[k] | f[k + 1] << 8 | f[k + 2] << 16 | f[k + 3] << 24);

    /// <summary>One byte four times: padding, fill and indentation make these the commonest windows of all.</summary>
    private static bool IsRun(uint w) => w == (w & 0xFF) * 0x01010101u;

    /// <summary>Where a pair (first byte low) sits in the gate: the scan reads pairs as native-order 16-bit words.</summary>
    private static int GateIndex(ushort pair) => BitConverter.IsLittleEndian ? pair : BinaryPrimitives.ReverseEndianness(pair);

    private static uint Hash(uint window) => (window * 0x9E3779B1u) >> (32 - QuadBits);

    private static int ShortBucket(ushort pair) => (int)((pair * 0x9E3779B1u) >> (32 - ShortBucketBits));

    private static void Set(ulong[] bits, uint i) => bits[i >> 6] |= 1UL << (int)(i & 63);

    private static int[] Starts(int count, int buckets, Func<int, int> bucketOf)
    {
        var starts = new int[buckets + 1];
        for (int i = 0; i < count; i++) starts[bucketOf(i) + 1]++;
        for (int b = 0; b < buckets; b++) starts[b + 1] += starts[b];
        return starts;
    }

    /// <summary>
    /// How often a (folded) byte turns up in traffic, roughly: zeros, spaces, line ends and
    /// frequent letters are everywhere, other control and high bytes are rare. Only the anchor
    /// choice uses it; any weights give correct results.
    /// </summary>
    private static int Commonness(byte b) => b switch
    {
        0x00 or (byte)' ' => 12,
        (byte)'\r' or (byte)'\n' or 0xFF => 8,
        (byte)'e' or (byte)'t' or (byte)'a' or (byte)'o' or (byte)'i' or (byte)'n' or (byte)'s' or (byte)'r' or (byte)'h' or (byte)'l' => 5,
        >= (byte)'a' and <= (byte)'z' => 4,
        >= (byte)'0' and <= (byte)'9' => 4,
        (byte)'/' or (byte)'.' or (byte)':' or (byte)'=' or (byte)'-' or (byte)'_' or (byte)',' or (byte)';' or (byte)'&'
            or (byte)'?' or (byte)'%' or (byte)'"' => 4,
        > 0x20 and < 0x7F => 3,
        _ => 1,
    };

    /// <summary>ASCII case folding: the matcher is case-insensitive, rules check case themselves.</summary>
    public static byte Fold(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    /// <summary>
    /// Writes <paramref name="text"/> case-folded into <paramref name="destination"/> (at least as long),
    /// a vector at a time.
    /// </summary>
    public static void FoldInto(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        destination = destination[..text.Length];
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var a = Vector128.Create((byte)'A');
            var range = Vector128.Create((byte)26);
            var bit = Vector128.Create((byte)0x20);
            for (; i + Vector128<byte>.Count <= text.Length; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(text.Slice(i, Vector128<byte>.Count));
                // Unsigned (v - 'A') < 26 exactly for 'A'..'Z'.
                var upper = Vector128.LessThan(v - a, range);
                (v | (upper & bit)).CopyTo(destination[i..]);
            }
        }
        for (; i < text.Length; i++) destination[i] = Fold(text[i]);
    }

    /// <summary>
    /// Scans <paramref name="text"/> and calls <paramref name="sink"/> for each pattern that occurs
    /// in it: at least once, and at most once for sinks whose <see cref="IPatternSink.Wants"/> says so.
    /// <paramref name="scratch"/> needs <c>text.Length + </c><see cref="ScratchPadding"/> bytes; it
    /// receives the folded text. Allocation-free; the sink is a struct so its calls are inlined.
    /// </summary>
    public void Scan<TSink>(ReadOnlySpan<byte> text, Span<byte> scratch, ref TSink sink) where TSink : struct, IPatternSink
    {
        int n = text.Length;
        if (n == 0) return;
        FoldInto(text, scratch);
        scratch.Slice(n, ScratchPadding).Clear();
        ReadOnlySpan<byte> f = scratch[..(n + ScratchPadding)];
        ScanSingles(f[..n], ref sink);
        if (n < 2) return;

        // Two passes per block of 64 positions. The first looks every position's pair up in the
        // gate without a branch and collects the answers in a bit mask: the gate passes ~25 % of
        // positions in no predictable order, so a branch per position mispredicted on a large
        // share of them (the old loop's main cost). The second walks only the set bits.
        ReadOnlySpan<byte> gate = new(_pairGate, 0, 65536);
        ReadOnlySpan<ulong> pairShort = new(_pairShort, 0, 65536 / 64);
        ulong[] quad = _quad;
        int positions = n - 1;    // a pair starts at 0 .. n-2; the padding zeros feed the last windows
        var run = new RunState();  // the last run of one byte met (RunMiddleMask)
        for (int blockStart = 0; blockStart < positions; blockStart += 64)
        {
            // Pairs are read as 16-bit words, one load each: those starting at even positions
            // from the block start, those at odd positions from one byte later.
            int count = Math.Min(64, positions - blockStart);
            var evens = MemoryMarshal.Cast<byte, ushort>(f.Slice(blockStart, count + 1));
            var odds = MemoryMarshal.Cast<byte, ushort>(f.Slice(blockStart + 1, count));
            ulong mask = count == 64 ? FullBlockMask(_pairGate, evens, odds) : 0;
            if (count < 64)
            {
                for (int j = 0; j < evens.Length; j++) mask |= (ulong)gate[evens[j]] << (2 * j);
                for (int j = 0; j < odds.Length; j++) mask |= (ulong)gate[odds[j]] << (2 * j + 1);
            }
            // Every position passing the gate is rare in text and is what a run of one byte does.
            if (mask == ulong.MaxValue) mask = RunMiddleMask(f[..n], blockStart, ref run);
            while (mask != 0)
            {
                int i = blockStart + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                // Windows reaching into the padding are looked up too: a pattern found there would
                // end past the text, which MatchShort and MatchLong refuse.
                uint w = BinaryPrimitives.ReadUInt32LittleEndian(f.Slice(i, Window));
                uint p = w & 0xFFFF;
                if ((pairShort[(int)(p >> 6)] & (1UL << (int)p)) != 0) MatchShort(f, n, i, (ushort)p, ref sink);
                uint h = Hash(w);
                if ((quad[h >> 6] & (1UL << (int)h)) != 0) MatchLong(f, n, i, w, h, ref sink);
            }
        }
    }

    /// <summary>The run of one byte <see cref="RunMiddleMask"/> last found: where it ends, and the positions it skips.</summary>
    private struct RunState
    {
        public int End;
        public int SkipFrom;
        public int SkipTo;
    }

    /// <summary>
    /// A run of one byte x (zero padding, fill) puts the same window xxxx at every position, and
    /// when patterns are anchored on xxxx (ET Open has dozens of zero runs) every position visits
    /// them all: 1 500 zeros cost ~17 µs. But a pattern that matches with its anchor deep in the
    /// run lies wholly inside it (patterns are indexed on at most <see cref="MaxIndexedLength"/>
    /// bytes), so it is a run of x itself and matches in the run's first positions too. Only the
    /// run's head and tail, <see cref="MaxIndexedLength"/> positions each, need scanning. Called
    /// for a block whose every position passed the gate (rare in text, so the common path pays
    /// one comparison per block): finds the run the block lies in, once per run, and returns
    /// <paramref name="mask"/> without the run's middle.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong RunMiddleMask(ReadOnlySpan<byte> text, int blockStart, ref RunState run)
    {
        const ulong mask = ulong.MaxValue;
        if (blockStart >= run.End)
        {
            byte x = text[blockStart];
            int rest = text[blockStart..].IndexOfAnyExcept(x);
            run.End = rest < 0 ? text.Length : blockStart + rest;
            int start = text[..blockStart].LastIndexOfAnyExcept(x) + 1;
            run.SkipFrom = start + MaxIndexedLength;
            run.SkipTo = run.End - MaxIndexedLength;
        }
        // This block's positions in [SkipFrom, SkipTo), as bit numbers lo .. hi - 1.
        int lo = Math.Max(run.SkipFrom - blockStart, 0), hi = Math.Min(run.SkipTo - blockStart, 64);
        if (hi <= lo) return mask;
        ulong below = hi == 64 ? ulong.MaxValue : (1UL << hi) - 1;
        return mask & ~(below & (ulong.MaxValue << lo));
    }

    /// <summary>
    /// The gate mask of a full block of 64 positions, sixteen positions at a time: their answers are
    /// combined with constant shifts and the 16-bit group is shifted into place once, so a position
    /// costs two loads, a shift and an or instead of also a shift-count computation and a loop step.
    /// </summary>
    private static ulong FullBlockMask(byte[] pairGate, ReadOnlySpan<ushort> evens, ReadOnlySpan<ushort> odds)
    {
        // Constant length: a 16-bit index needs no range check.
        ReadOnlySpan<byte> gate = new(pairGate, 0, 65536);
        ulong mask = 0;
        for (int j = 0; j < 32; j += 8)
        {
            // Fixed-length slices: the constant indexes below need no range check.
            var e = evens.Slice(j, 8);
            var o = odds.Slice(j, 8);
            uint group = gate[e[0]] | (uint)gate[o[0]] << 1 | (uint)gate[e[1]] << 2 | (uint)gate[o[1]] << 3
                | (uint)gate[e[2]] << 4 | (uint)gate[o[2]] << 5 | (uint)gate[e[3]] << 6 | (uint)gate[o[3]] << 7
                | (uint)gate[e[4]] << 8 | (uint)gate[o[4]] << 9 | (uint)gate[e[5]] << 10 | (uint)gate[o[5]] << 11
                | (uint)gate[e[6]] << 12 | (uint)gate[o[6]] << 13 | (uint)gate[e[7]] << 14 | (uint)gate[o[7]] << 15;
            mask |= (ulong)group << (2 * j);
        }
        return mask;
    }

    /// <summary>Convenience for tests and one-off scans: allocates its own scratch.</summary>
    public void Scan<TSink>(ReadOnlySpan<byte> text, ref TSink sink) where TSink : struct, IPatternSink =>
        Scan(text, new byte[text.Length + ScratchPadding], ref sink);

    private void ScanSingles<TSink>(ReadOnlySpan<byte> f, ref TSink sink) where TSink : struct, IPatternSink
    {
        var bytes = _singleBytes;
        for (int k = 0; k < bytes.Length; k++)
        {
            int p = _singleIds[k];
            // IndexOf is vectorised; the few one-byte patterns of real rule sets make a search each cheap.
            if (sink.Wants(p) && f.IndexOf(bytes[k]) >= 0) sink.Hit(p);
        }
    }

    private void MatchShort<TSink>(ReadOnlySpan<byte> f, int n, int i, ushort pair, ref TSink sink) where TSink : struct, IPatternSink
    {
        int b = ShortBucket(pair);
        var shorts = _shorts;
        for (int k = _shortStart[b], end = _shortStart[b + 1]; k < end; k++)
        {
            var s = shorts[k];
            if (s.Pair != pair || i + s.Length > n) continue;
            if (s.Length == 3 && f[i + 2] != s.Third) continue;
            if (sink.Wants(s.Pattern)) sink.Hit(s.Pattern);
        }
    }

    private void MatchLong<TSink>(ReadOnlySpan<byte> f, int n, int i, uint w, uint h, ref TSink sink) where TSink : struct, IPatternSink
    {
        int b = (int)(h >> (QuadBits - BucketBits));
        var anchors = _anchors;
        for (int k = _bucketStart[b], end = _bucketStart[b + 1]; k < end; k++)
        {
            var a = anchors[k];
            if (a.Window != w) continue;
            int start = i - a.Offset;
            int from = _patternStart[a.Pattern], length = _patternStart[a.Pattern + 1] - from;
            if (start < 0 || start + length > n) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(f[(start + a.CheckOffset)..]) != a.Check || !sink.Wants(a.Pattern)) continue;
            if (f.Slice(start, length).SequenceEqual(_folded.AsSpan(from, length))) sink.Hit(a.Pattern);
        }
    }
}

/// <summary>Receives pattern hits from <see cref="PatternMatcher.Scan{TSink}(ReadOnlySpan{byte}, Span{byte}, ref TSink)"/>.</summary>
public interface IPatternSink
{
    /// <summary>False when the pattern needs no more reporting (already hit for this text): skips its verification.</summary>
    bool Wants(int patternId);

    void Hit(int patternId);
}
