namespace Bridge.Rules.Matching;

/// <summary>
/// Aho-Corasick over bytes, case-folded (ASCII), built once and read-only afterwards. The root and
/// the depth-1 states are full 256-entry rows with failures already resolved, because nearly every
/// input byte is consumed there; deeper states keep sorted sparse edges plus a failure link, which
/// keeps tens of thousands of patterns in a few megabytes.
/// </summary>
public sealed class PatternMatcher
{
    /// <summary>Longest prefix of a pattern put into the automaton; candidates are verified by the rule anyway.</summary>
    public const int MaxIndexedLength = 48;

    private readonly int[] _dense;        // denseCount rows × 256 → state
    private readonly int _denseCount;     // states 0.._denseCount-1 are dense
    private readonly int[] _edgeStart;    // per state: first edge (sparse states)
    private readonly int[] _edgeEnd;      // per state: one past its last edge
    private readonly byte[] _edgeByte;
    private readonly int[] _edgeTarget;
    private readonly int[] _fail;
    private readonly int[] _outStart;     // per state: outputs [outStart[s], outStart[s+1])
    private readonly int[] _outputs;      // pattern ids

    public int StateCount => _fail.Length;
    public int PatternCount { get; }

    /// <summary>Bytes held by the automaton's arrays.</summary>
    public long MemoryBytes =>
        _dense.Length * 4L + _edgeStart.Length * 4L + _edgeEnd.Length * 4L + _edgeByte.Length +
        _edgeTarget.Length * 4L + _fail.Length * 4L + _outStart.Length * 4L + _outputs.Length * 4L;

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
        int denseCount = 1 + children[0].Count;

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
        // Dense rows: full transition function for the first denseCount states.
        for (int ds = 0; ds < denseCount; ds++)
        {
            int old = order[ds];
            for (int c = 0; c < 256; c++)
            {
                int f = old;
                int target;
                while (true)
                {
                    if (children[f].TryGetValue((byte)c, out int t)) { target = t; break; }
                    if (f == 0) { target = 0; break; }
                    f = failOld[f];
                }
                goTo[ds * 256 + c] = newId[target];
            }
        }
        // Sparse edges for every state (dense ones keep theirs unused).
        _edgeStart = new int[count];
        _edgeEnd = new int[count];
        var edgeByte = new List<byte>();
        var edgeTarget = new List<int>();
        for (int ns = 0; ns < count; ns++)
        {
            int old = order[ns];
            _edgeStart[ns] = edgeByte.Count;
            foreach (var (c, t) in children[old])
            {
                edgeByte.Add(c);
                edgeTarget.Add(newId[t]);
            }
            _edgeEnd[ns] = edgeByte.Count;
        }
        _edgeByte = [.. edgeByte];
        _edgeTarget = [.. edgeTarget];
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
        int s = 0;
        int[] dense = _dense;
        int denseCount = _denseCount;
        int[] outStart = _outStart;
        for (int i = 0; i < text.Length; i++)
        {
            byte c = Fold(text[i]);
            while (true)
            {
                if (s < denseCount)
                {
                    s = dense[(s << 8) | c];
                    break;
                }
                int t = Child(s, c);
                if (t >= 0)
                {
                    s = t;
                    break;
                }
                s = _fail[s];
            }
            int o = outStart[s], oe = outStart[s + 1];
            for (; o < oe; o++) sink.Hit(_outputs[o]);
        }
    }

    private int Child(int s, byte c)
    {
        int lo = _edgeStart[s], hi = _edgeEnd[s] - 1;
        byte[] keys = _edgeByte;
        if (hi - lo < 8)
        {
            for (int k = lo; k <= hi; k++)
            {
                if (keys[k] == c) return _edgeTarget[k];
            }
            return -1;
        }
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            byte m = keys[mid];
            if (m == c) return _edgeTarget[mid];
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
