using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Rules.Matching;
using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Matching;

/// <summary>
/// The fast-pattern matcher against the obvious reference: a pattern is reported exactly when its
/// case-folded first <see cref="PatternMatcher.MaxIndexedLength"/> bytes occur in the folded text.
/// </summary>
public class PatternMatcherTests
{
    private struct Collect : IPatternSink
    {
        public HashSet<int> Hits;

        public readonly bool Wants(int patternId) => !Hits.Contains(patternId);

        public readonly void Hit(int patternId) => Assert.True(Hits.Add(patternId), $"pattern {patternId} reported twice");
    }

    private static byte[] Folded(ReadOnlySpan<byte> s)
    {
        var f = new byte[s.Length];
        for (int i = 0; i < f.Length; i++) f[i] = PatternMatcher.Fold(s[i]);
        return f;
    }

    private static SortedSet<int> Reference(IReadOnlyList<byte[]> patterns, ReadOnlySpan<byte> text)
    {
        var folded = Folded(text);
        var hits = new SortedSet<int>();
        for (int p = 0; p < patterns.Count; p++)
        {
            var pat = patterns[p];
            if (pat.Length == 0) continue;
            var prefix = Folded(pat.AsSpan(0, Math.Min(pat.Length, PatternMatcher.MaxIndexedLength)));
            if (folded.AsSpan().IndexOf(prefix) >= 0) hits.Add(p);
        }
        return hits;
    }

    private static SortedSet<int> Scan(PatternMatcher m, ReadOnlySpan<byte> text)
    {
        var sink = new Collect { Hits = [] };
        // Dirty scratch: the matcher must not depend on what was there before.
        var scratch = new byte[text.Length + PatternMatcher.ScratchPadding];
        Array.Fill(scratch, (byte)'a');
        m.Scan(text, scratch, ref sink);
        return [.. sink.Hits];
    }

    [Fact]
    public void FindsOverlappingShortLongAndEdgePatterns()
    {
        byte[][] patterns =
        [
            Frames.Bytes("he"), Frames.Bytes("SHE"), Frames.Bytes("his"), Frames.Bytes("hers"),
            Frames.Bytes("x"), Frames.Bytes("ushers"), Frames.Bytes("rs"), [0, 0, 0, 0], [0xFF, 0x41],
        ];
        var m = new PatternMatcher(patterns);
        Assert.Equal([0, 1, 3, 5, 6], Scan(m, Frames.Bytes("uSHErs")));
        // A pattern at the very end, a one-byte pattern, zeros that only the padding would complete.
        Assert.Equal([4, 6], Scan(m, Frames.Bytes("..x.rs")));
        Assert.Equal([], Scan(m, [0, 0, 0]));
        Assert.Equal([7, 8], Scan(m, [1, 0, 0, 0, 0, 0xFF, 0x61]));
        Assert.Equal([], Scan(m, []));
    }

    [Fact]
    public void PatternsLongerThanTheIndexedPrefixMatchOnTheirPrefix()
    {
        var longPattern = Frames.Bytes(new string('q', PatternMatcher.MaxIndexedLength) + "tail");
        var m = new PatternMatcher([longPattern]);
        Assert.Equal([0], Scan(m, Frames.Bytes("z" + new string('Q', PatternMatcher.MaxIndexedLength) + "other")));
        Assert.Equal([], Scan(m, Frames.Bytes(new string('q', PatternMatcher.MaxIndexedLength - 1))));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AgreesWithReferenceOnRandomText(int seed)
    {
        // A tiny alphabet with case variants and zeros makes overlaps, shared windows and near misses common.
        byte[] alphabet = [(byte)'a', (byte)'b', (byte)'A', (byte)'B', 0, (byte)'c', 0xC1, 0xE1];
        var rng = new Random(seed);
        var patterns = new List<byte[]>();
        for (int p = 0; p < 400; p++)
        {
            int n = rng.Next(100) < 5 ? rng.Next(40, 60) : rng.Next(1, 9);
            var pat = new byte[n];
            for (int i = 0; i < n; i++) pat[i] = alphabet[rng.Next(alphabet.Length)];
            patterns.Add(pat);
        }
        var m = new PatternMatcher(patterns);
        for (int t = 0; t < 300; t++)
        {
            var text = new byte[rng.Next(0, 120)];
            for (int i = 0; i < text.Length; i++) text[i] = alphabet[rng.Next(alphabet.Length)];
            Assert.Equal(Reference(patterns, text), Scan(m, text));
        }
    }

    [Fact]
    public void FindsPatternsAnchoredInARunAtTheRunsEnds()
    {
        // Copies of one pattern crowd its only non-run window, so the later copies are anchored on
        // the zero run itself (the anchor choice charges each sharer): they match only where the
        // run meets the 0xFF, within the head or the tail the scan keeps of a long run.
        var tail = new byte[21];
        tail[20] = 0xFF;
        var head = new byte[21];
        head[0] = 0xFF;
        var patterns = new List<byte[]>();
        for (int c = 0; c < 10; c++) patterns.Add(tail);
        for (int c = 0; c < 10; c++) patterns.Add(head);
        patterns.Add(new byte[30]);
        var m = new PatternMatcher(patterns);
        var run = new byte[400];
        Assert.Equal(Reference(patterns, run), Scan(m, run));
        Assert.Equal(Enumerable.Range(0, 10).Append(20).ToHashSet(), Scan(m, [.. run, 0xFF]).ToHashSet());
        Assert.Equal(Enumerable.Range(10, 11).ToHashSet(), Scan(m, [0xFF, .. run]).ToHashSet());
        Assert.Equal(Enumerable.Range(0, 21).ToHashSet(), Scan(m, [.. run, 0xFF, .. run]).ToHashSet());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AgreesWithReferenceOnLongRunsOfOneByte(int seed)
    {
        // The scan skips the middle of runs longer than twice the indexed prefix: patterns that are
        // runs themselves, runs with a different byte at either end (found only in a run's head or
        // tail), and runs long enough to reach past the indexed prefix must all agree.
        byte[] alphabet = [0, 0xFF, (byte)'a', (byte)'B'];
        var rng = new Random(seed);
        var patterns = new List<byte[]>();
        for (int p = 0; p < 300; p++)
        {
            byte x = alphabet[rng.Next(alphabet.Length)];
            var pat = new byte[rng.Next(1, 70)];
            Array.Fill(pat, x);
            // Most patterns break the run once, at the start, the end or inside.
            if (rng.Next(4) != 0) pat[rng.Next(pat.Length)] = alphabet[rng.Next(alphabet.Length)];
            patterns.Add(pat);
        }
        var m = new PatternMatcher(patterns);
        for (int t = 0; t < 200; t++)
        {
            var text = new List<byte>();
            int runs = rng.Next(1, 6);
            for (int r = 0; r < runs; r++)
            {
                byte x = alphabet[rng.Next(alphabet.Length)];
                int length = rng.Next(3) == 0 ? rng.Next(1, 10) : rng.Next(90, 400);
                for (int i = 0; i < length; i++) text.Add(x);
            }
            var bytes = text.ToArray();
            Assert.Equal(Reference(patterns, bytes), Scan(m, bytes));
        }
    }

    [Fact]
    public void AgreesWithReferenceOnEtOpenPatternsOverRealTraffic()
    {
        var set = RuleSet.Load([Path.Combine(RuleData.Root, "et-open-2017-snort29")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var patterns = new List<byte[]>();
        foreach (var r in set.Rules)
        {
            if (r.FastPattern is not { } fp || r.Protocol is not (RuleProtocol.Tcp or RuleProtocol.Ip)) continue;
            var bytes = fp.FastPatternBytes;
            if (seen.Add(Convert.ToHexString(Folded(bytes.AsSpan(0, Math.Min(bytes.Length, PatternMatcher.MaxIndexedLength))))))
                patterns.Add(bytes);
        }
        Assert.True(patterns.Count > 10_000);
        var m = new PatternMatcher(patterns);
        int compared = 0, hits = 0;
        foreach (string pcap in new[] { "http_espn", "tcp_ports", "http_post" })
        {
            foreach (var record in PcapReader.ReadAll(Path.Combine(RuleData.Pcaps, pcap + ".pcapng")).Take(60))
            {
                var frame = record.Data.ToArray();
                var info = new FrameInfo();
                if (FrameDecoder.Decode(frame, ref info) != DropReason.None || info.PayloadOffset < 0 || info.PayloadLength <= 0) continue;
                var payload = frame.AsSpan(info.PayloadOffset, Math.Min(info.PayloadLength, frame.Length - info.PayloadOffset));
                var expected = Reference(patterns, payload);
                Assert.Equal(expected, Scan(m, payload));
                compared++;
                hits += expected.Count;
            }
        }
        Assert.True(compared > 30 && hits > 100, $"{compared} payloads, {hits} hits: the comparison must have substance");
    }
}
