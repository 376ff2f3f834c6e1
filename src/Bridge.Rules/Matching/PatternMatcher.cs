namespace Bridge.Rules.Matching;

/// <summary>
/// Aho-Corasick over bytes, case-folded (ASCII), built once and read-only afterwards. The shallowest
/// <see cref="DenseStates"/> states are full 256-entry rows with failures already resolved, because
/// nearly every input byte is consumed there; deeper states keep sorted sparse edges plus a failure
/// link, which keeps tens of thousands of patterns in a bounded amount of memory.
/// </summary>
public sealed class PatternMatcher
{
    /// <summary>Longest prefix of a pattern put into the automaton; candidates are verified by the rule anyway.</summary>
    public const int MaxIndexedLength = 48;

    /// <summary>
    /// States kept as full 256-entry rows (1 KiB each). Scanning real traffic spends most bytes in
    /// shallow states, where a row makes each byte one load instead of a walk along failure links.
    /// </summary>
    public const int DenseStates = 1024;

    private readonly int[] _dense;        // denseCount rows × 256 → state
    private readonly int _denseCount;     // states 0.._denseCount-1 are dense
    private readonly int[] _edgeStart;    // per state: its edges are [_edgeStart[s], _edgeStart[s + 1])
    private readonly uint[] _edges;       // byte << 24 | target state, sorted by byte within a state
    private readonly int[] _fail;
    private readonly int[] _outStart;     // per state: outputs [outStart[s], outStart[s+1])
    private readonly int[] _outputs;      // pattern ids

    public int StateCount => _fail.Length;
    public int PatternCount { get; }

    /// <summary>Bytes held by the automaton's arrays.</summary>
    public long MemoryBytes =>
        _dense.Length * 4L + _edgeStart.Length * 4L + _edges.Length * 4L + _fail.Length * 4L + _outStart.Length * 4L + _outputs.Length * 4L;

    public PatternMatcher(IReadOnlyList<byte[]> patterns)
    {
        PatternCount = patterns.Count;
        // Build a trie with per-node dictionaries (build time only).
        var children = new List<SortedDictionary<byte, int>> { new() };
        var depth = new List<int> { 0 };
        var outs = new List<List<int>?> { null };
        for (int p = 0; p < patterns.Count; p++)
        {
            var pat = patterns[p];
            int n = Math.Min(pat.Length, MaxIndexedLength);
            if (n == 0) continue;
            int s = 0;
            for (int i = 0; i < n; i++)
            {
                byte c = Fold(pat[i]);
                if (!children[s].TryGetValue(c, out int t))
                {
                    t = children.Count;
                    children.Add(new SortedDictionary<byte, int>());
                    depth.Add(depth[s] + 1);
                    outs.Add(null);
                    children[s][c] = t;
                }
                s = t;
            }
            (outs[s] ??= []).Add(p);
        }

        int count = children.Count;
        // BFS renumbering so that the root and depth-1 states come first (they become dense rows).
        var order = new List<int>(count) { 0 };
        for (int i = 0; i < order.Count; i++)
        {
            foreach (var kv in children[order[i]]) order.Add(kv.Value);
        }
        var newId = new int[count];
        for (int i = 0; i < count; i++) newId[order[i]] = i;
        // BFS order puts shallow states first; the first DenseStates become full DFA rows. A state's
        // failure target is shallower, hence earlier, hence dense whenever the state is.
        int denseCount = Math.Min(count, DenseStates); // count ≥ 1: the root is always dense, which ends every failure walk.

        var fail = new int[count];
        var mergedOut = new List<int>?[count];
        var goTo = new int[denseCount * 256];
        // Failure links in BFS order over old ids.
        var failOld = new int[count];
        foreach (int s in order)
        {
            foreach (var (c, t) in children[s])
            {
                if (s == 0)
                {
                    failOld[t] = 0;
                }
                else
                {
                    int f = failOld[s];
                    while (f != 0 && !children[f].ContainsKey(c)) f = failOld[f];
                    failOld[t] = children[f].TryGetValue(c, out int ft) && ft != t ? ft : 0;
                }
            }
        }
        foreach (int s in order)
        {
            var list = outs[s] is null ? null : new List<int>(outs[s]!);
            if (s != 0 && mergedOut[newId[failOld[s]]] is { } inherited)
            {
                list ??= [];
                list.AddRange(inherited);
            }
            mergedOut[newId[s]] = list;
            fail[newId[s]] = newId[failOld[s]];
        }
        // Dense rows: full transition function, built from the failure target's row (already built).
        for (int ds = 0; ds < denseCount; ds++)
        {
            int old = order[ds];
            var row = goTo.AsSpan(ds * 256, 256);
            if (ds == 0) row.Clear();
            else goTo.AsSpan(newId[failOld[old]] * 256, 256).CopyTo(row);
            foreach (var (c, t) in children[old]) row[c] = newId[t];
        }
        // Sparse edges for every state (dense ones keep theirs unused).
        if (count >= 1 << 24) throw new InvalidOperationException("too many fast-pattern states");
        _edgeStart = new int[count + 1];
        var edges = new List<uint>();
        for (int ns = 0; ns < count; ns++)
        {
            _edgeStart[ns] = edges.Count;
            // Dense states never consult their edges.
            if (ns < denseCount) continue;
            foreach (var (c, t) in children[order[ns]]) edges.Add(((uint)c << 24) | (uint)newId[t]);
        }
        _edgeStart[count] = edges.Count;
        _edges = [.. edges];
        _outStart = new int[count + 1];
        var outputs = new List<int>();
        for (int ns = 0; ns < count; ns++)
        {
            _outStart[ns] = outputs.Count;
            if (mergedOut[ns] is { } l) outputs.AddRange(l);
        }
        _outStart[count] = outputs.Count;
        _outputs = [.. outputs];
        _fail = fail;
        _dense = goTo;
        _denseCount = denseCount;
    }

    /// <summary>ASCII case folding: the automaton is case-insensitive, rules check case themselves.</summary>
    public static byte Fold(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    /// <summary>
    /// Scans <paramref name="text"/> and calls <paramref name="sink"/> once per (position, pattern) hit.
    /// Allocation-free; the sink is a struct so the call is inlined.
    /// </summary>
    public void Scan<TSink>(ReadOnlySpan<byte> text, ref TSink sink) where TSink : struct, IPatternSink
    {
        // Locals: the JIT keeps them in registers; fields would be reloaded around the sink call.
        int[] dense = _dense;
        int denseCount = _denseCount;
        int[] outStart = _outStart;
        int[] outputs = _outputs;
        int[] edgeStart = _edgeStart;
        uint[] edges = _edges;
        int[] fail = _fail;
        int s = 0;
        foreach (byte b in text)
        {
            uint c = Fold(b);
            while (true)
            {
                if (s < denseCount)
                {
                    s = dense[(s << 8) | (int)c];
                    break;
                }
                int t = Child(edges, edgeStart[s], edgeStart[s + 1], c);
                if (t >= 0)
                {
                    s = t;
                    break;
                }
                s = fail[s];
            }
            int o = outStart[s], oe = outStart[s + 1];
            while (o < oe) sink.Hit(outputs[o++]);
        }
    }

    private static int Child(uint[] edges, int lo, int end, uint c)
    {
        if (end - lo <= 8)
        {
            for (int k = lo; k < end; k++)
            {
                uint e = edges[k];
                if ((e >> 24) == c) return (int)(e & 0xFF_FFFF);
            }
            return -1;
        }
        int hi = end - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            uint e = edges[mid];
            uint m = e >> 24;
            if (m == c) return (int)(e & 0xFF_FFFF);
            if (m < c) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }
}

/// <summary>Receives pattern hits from <see cref="PatternMatcher.Scan{TSink}"/>.</summary>
public interface IPatternSink
{
    void Hit(int patternId);
}
