namespace Bridge.Rules.Matching;

/// <summary>
/// The rules one kind of packet (TCP, UDP, ICMP, other IP) can match: fast-pattern matchers over
/// their fast patterns (one per packet direction), the address and port indexes of rules without
/// content, and the remaining rules without content, which are candidates for every packet of the
/// group. Rule numbers are indexes into the compiled set, ordered by action.
/// </summary>
internal sealed class RuleGroup
{
    public RuleGroup(IReadOnlyList<Rule> rules)
    {
        var patternIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var patterns = new List<byte[]>();
        var rulesOfPattern = new List<List<Rule>>();
        var noContent = new List<int>();
        var bySource = new AddressIndexBuilder();
        var byDestination = new AddressIndexBuilder();
        var networks = new List<(uint, int)>();
        var byDstPort = new List<int>?[65536];
        var bySrcPort = new List<int>?[65536];
        foreach (var r in rules)
        {
            if (r.FastPattern is not { } fp)
            {
                // Reputation-list rules (no content, a long list of hosts) are found through the
                // packet's addresses instead of being checked against every packet.
                networks.Clear();
                if (r.Source.TryCollectV4(networks))
                {
                    bySource.Add(networks, r.Index);
                    if (r.Bidirectional) byDestination.Add(networks, r.Index);
                    continue;
                }
                networks.Clear();
                if (r.Destination.TryCollectV4(networks))
                {
                    byDestination.Add(networks, r.Index);
                    if (r.Bidirectional) bySource.Add(networks, r.Index);
                    continue;
                }
                // Port groups: a rule for a few destination (or source) ports is a candidate
                // only for packets on those ports. A <> rule matches either way round, so its
                // ports are filed under both the packet's destination and its source port.
                if (r.Protocol is RuleProtocol.Tcp or RuleProtocol.Udp)
                {
                    if (!r.DestinationPorts.IsAny && r.DestinationPorts.Count <= MaxGroupedPorts)
                    {
                        File(r.DestinationPorts, byDstPort, r.Bidirectional ? bySrcPort : null, r.Index);
                        continue;
                    }
                    if (!r.SourcePorts.IsAny && r.SourcePorts.Count <= MaxGroupedPorts)
                    {
                        File(r.SourcePorts, bySrcPort, r.Bidirectional ? byDstPort : null, r.Index);
                        continue;
                    }
                }
                noContent.Add(r.Index);
                continue;
            }
            byte[] bytes = fp.FastPatternBytes;
            // Patterns are matched case-folded, so fold the dedup key too.
            var folded = new char[Math.Min(bytes.Length, PatternMatcher.MaxIndexedLength)];
            for (int i = 0; i < folded.Length; i++) folded[i] = (char)PatternMatcher.Fold(bytes[i]);
            string key = new(folded);
            if (!patternIds.TryGetValue(key, out int id))
            {
                id = patterns.Count;
                patternIds[key] = id;
                patterns.Add(bytes);
                rulesOfPattern.Add([]);
            }
            rulesOfPattern[id].Add(r);
        }
        PatternCount = patterns.Count;
        ToServer = new FastPatternIndex(patterns, rulesOfPattern, r => r.Flow is not { ToClient: true });
        ToClient = new FastPatternIndex(patterns, rulesOfPattern, r => r.Flow is not { ToServer: true });
        WithoutFlow = new FastPatternIndex(patterns, rulesOfPattern, r => r.Flow is not ({ ToServer: true } or { ToClient: true }));
        NoContent = [.. noContent];
        ByDestinationPort = Freeze(byDstPort);
        BySourcePort = Freeze(bySrcPort);
        BySource = bySource.Build();
        ByDestination = byDestination.Build();
        RuleCount = rules.Count;
    }

    /// <summary>No-content rules whose source field is a list of IPv4 networks, by network.</summary>
    public AddressIndex BySource { get; }
    /// <summary>No-content rules whose destination field is a list of IPv4 networks, by network.</summary>
    public AddressIndex ByDestination { get; }

    /// <summary>A port set larger than this (e.g. $HTTP_PORTS is ~200, 1024: is 64 512) stays in the general list.</summary>
    private const int MaxGroupedPorts = 512;

    private static void File(PortSet ports, List<int>?[] byPort, List<int>?[]? reverse, int rule)
    {
        foreach (ushort port in ports.Ports())
        {
            (byPort[port] ??= []).Add(rule);
            if (reverse is not null) (reverse[port] ??= []).Add(rule);
        }
    }

    private static int[][] Freeze(List<int>?[] byPort)
    {
        var result = new int[65536][];
        for (int p = 0; p < byPort.Length; p++) result[p] = byPort[p] is { } l ? [.. l] : [];
        return result;
    }

    /// <summary>No-content TCP/UDP rules by destination port (rules for at most <see cref="MaxGroupedPorts"/> ports).</summary>
    public int[][] ByDestinationPort { get; }
    /// <summary>No-content TCP/UDP rules by source port: rules whose destination is any port, and the reverse side of <c>&lt;&gt;</c> rules.</summary>
    public int[][] BySourcePort { get; }

    /// <summary>
    /// The fast patterns of the rules a packet's direction allows: a rule with <c>flow:to_server</c>
    /// fails on every server-to-client or flowless packet, so its pattern need not be searched there.
    /// Most of ET Open is to_server while most payload bytes flow to the client, whose matcher then
    /// holds about a quarter of the patterns: fewer pairs pass its gate and fewer buckets are visited.
    /// </summary>
    public FastPatternIndex ToServer { get; }
    public FastPatternIndex ToClient { get; }
    public FastPatternIndex WithoutFlow { get; }

    public FastPatternIndex For(bool hasFlow, bool toServer) => !hasFlow ? WithoutFlow : toServer ? ToServer : ToClient;

    /// <summary>Distinct fast patterns of the group (each direction's matcher holds a subset).</summary>
    public int PatternCount { get; }
    public int[] NoContent { get; }
    public int RuleCount { get; }
}

/// <summary>
/// A matcher over some of a group's fast patterns and, per pattern (numbered as in the matcher), the
/// rules it makes candidates.
/// </summary>
internal sealed class FastPatternIndex
{
    public FastPatternIndex(List<byte[]> patterns, List<List<Rule>> rulesOfPattern, Func<Rule, bool> include)
    {
        var kept = new List<byte[]>();
        var starts = new List<int>();
        var flat = new List<int>();
        for (int p = 0; p < patterns.Count; p++)
        {
            int first = flat.Count;
            foreach (var r in rulesOfPattern[p])
            {
                if (include(r)) flat.Add(r.Index);
            }
            if (flat.Count == first) continue;
            kept.Add(patterns[p]);
            starts.Add(first);
        }
        starts.Add(flat.Count);
        Matcher = new PatternMatcher(kept);
        PatternRuleStart = [.. starts];
        PatternRules = [.. flat];
    }

    public PatternMatcher Matcher { get; }
    public int[] PatternRuleStart { get; }
    public int[] PatternRules { get; }
}

/// <summary>
/// Collects each rule at most once per packet from fast-pattern hits (a stamp per rule instead of
/// clearing a set), into a preallocated array.
/// </summary>
internal struct CandidateSink : IPatternSink
{
    public int[] PatternRuleStart;
    public int[] PatternRules;
    public int[] Stamp;
    /// <summary>Per pattern: the generation it last hit in, so a pattern repeated in a payload costs one lookup.</summary>
    public int[] PatternStamp;
    public int Generation;
    public int[] Out;
    public int Count;

    /// <summary>Adds rules found another way (address index, no-content list), once each.</summary>
    public void AddAll(ReadOnlySpan<int> rules)
    {
        foreach (int r in rules)
        {
            if (Stamp[r] == Generation) continue;
            Stamp[r] = Generation;
            Out[Count++] = r;
        }
    }

    public readonly bool Wants(int patternId) => PatternStamp[patternId] != Generation;

    public void Hit(int patternId)
    {
        if (PatternStamp[patternId] == Generation) return;
        PatternStamp[patternId] = Generation;
        int end = PatternRuleStart[patternId + 1];
        for (int k = PatternRuleStart[patternId]; k < end; k++)
        {
            int r = PatternRules[k];
            if (Stamp[r] == Generation) continue;
            Stamp[r] = Generation;
            Out[Count++] = r;
        }
    }
}
