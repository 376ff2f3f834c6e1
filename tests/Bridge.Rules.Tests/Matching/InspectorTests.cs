using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Rules.Alerts;
using Bridge.Rules.Inspection;
using Bridge.Rules.Matching;
using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Matching;

public class InspectorTests
{
    [Fact]
    public void VerdictsFollowActions()
    {
        var e = new Engine("""
            alert tcp any any -> any any (content:"a"; sid:1;)
            drop tcp any any -> any any (content:"d"; sid:2;)
            sdrop tcp any any -> any any (content:"s"; sid:3;)
            block tcp any any -> any any (content:"b"; sid:4;)
            reject tcp any any -> any any (content:"r"; sid:5;)
            """);
        Assert.Equal([1u], e.Feed(Frames.Tcp("a"), out var v));
        Assert.Equal(InspectorVerdict.Pass, v);
        Assert.Equal([2u], e.Feed(Frames.Tcp("d"), out v));
        Assert.Equal(InspectorVerdict.BlockPacket, v);
        // sdrop drops silently.
        Assert.Empty(e.Feed(Frames.Tcp("s"), out v));
        Assert.Equal(InspectorVerdict.BlockPacket, v);
        Assert.Equal([4u], e.Feed(Frames.Tcp("b"), out v));
        Assert.Equal(InspectorVerdict.BlockFlow, v);
        // reject: the packet is dropped and the SNORT stage answers it (resets / ICMP unreachable).
        Assert.Equal([5u], e.Feed(Frames.Tcp("r"), out v));
        Assert.Equal(InspectorVerdict.Reject, v);
    }

    [Fact]
    public void PassRulesWinOverLaterActions()
    {
        var e = new Engine("""
            drop tcp any any -> any any (content:"x"; sid:1;)
            alert tcp any any -> any any (content:"x"; sid:2;)
            pass tcp 10.0.0.7 any -> any any (content:"x"; sid:3;)
            """);
        Assert.Equal([1u, 2u], e.Feed(Frames.Tcp("x"), out var v));
        Assert.Equal(InspectorVerdict.BlockPacket, v);
        Assert.Empty(e.Feed(Frames.Tcp("x", src: "10.0.0.7"), out v));
        Assert.Equal(InspectorVerdict.Pass, v);
        Assert.Equal([3u], e.Inspector.LastMatched.ToArray().Select(r => r.Sid));
    }

    [Fact]
    public void InlineTapAlertsButNeverDrops()
    {
        var e = new Engine("drop tcp any any -> any any (content:\"d\"; sid:2;)", InspectorMode.InlineTap);
        Assert.Equal([2u], e.Feed(Frames.Tcp("d"), out var v));
        Assert.Equal(InspectorVerdict.Pass, v);
        Assert.Contains("\"action\":\"would_drop\"", AlertFormat.Json(e.Alerts[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void ReputationListsAreFoundByAddress()
    {
        var e = new Engine("""
            alert ip [192.0.2.1,198.51.100.0/24] any -> $HOME_NET any (msg:"bad host"; sid:1;)
            alert ip $HOME_NET any -> [203.0.113.5] any (msg:"bad dest"; sid:2;)
            alert ip [100.64.0.0/10] any -> $HOME_NET any (msg:"wide net"; sid:3;)
            """);
        Assert.Equal([1u], e.Feed(Frames.Udp([1], src: "198.51.100.77")));
        Assert.Equal([2u], e.Feed(Frames.Udp([1], dst: "203.0.113.5")));
        Assert.Empty(e.Feed(Frames.Udp([1], src: "192.0.2.2")));
        // A network wider than /16 spans many blocks of the index's first filter: both ends count, neighbours do not.
        Assert.Equal([3u], e.Feed(Frames.Udp([1], src: "100.64.0.1")));
        Assert.Equal([3u], e.Feed(Frames.Udp([1], src: "100.127.255.254")));
        Assert.Empty(e.Feed(Frames.Udp([1], src: "100.63.255.254")));
        Assert.Empty(e.Feed(Frames.Udp([1], src: "100.128.0.1")));
        Assert.Equal([1u], e.Feed(Frames.Tcp("x", src: "198.51.100.1", dst: Frames.Server)));
    }

    [Fact]
    public void AlertFastLineIsSnortsFormat()
    {
        var e = new Engine("alert tcp any any -> any any (msg:\"ET TEST thing\"; content:\"x\"; classtype:trojan-activity; sid:2000001; rev:3;)");
        e.Feed(Frames.Tcp("x", 1234, 80), 0.25);
        Assert.Equal("09/13-12:26:40.250000  [**] [1:2000001:3] ET TEST thing [**] [Classification: A Network Trojan was detected] [Priority: 1] {TCP} 10.0.0.1:1234 -> 10.0.0.2:80",
            AlertFormat.Fast(e.Alerts[0]));
        var icmp = new Engine("alert icmp any any -> any any (msg:\"ping\"; itype:8; sid:7;)");
        icmp.Feed(Frames.Icmp(8, 0), 0.25);
        Assert.Equal("09/13-12:26:40.250000  [**] [1:7:1] ping [**] [Priority: 3] {ICMP} 10.0.0.1 -> 10.0.0.2", AlertFormat.Fast(icmp.Alerts[0]));
    }

    [Fact]
    public void AlertJsonUsesSnort3Names()
    {
        var e = new Engine("alert tcp any any -> any any (msg:\"m\"; content:\"x\"; sid:9;)");
        e.Feed(Frames.Tcp("x", 1234, 80), 0.25);
        var doc = System.Text.Json.JsonDocument.Parse(AlertFormat.Json(e.Alerts[0])).RootElement;
        Assert.Equal("20/09/13-12:26:40.250000", doc.GetProperty("timestamp").GetString());
        Assert.Equal("10.0.0.1:1234", doc.GetProperty("src_ap").GetString());
        Assert.Equal("1:9:1", doc.GetProperty("rule").GetString());
        Assert.Equal("TCP", doc.GetProperty("proto").GetString());
        Assert.Equal("allow", doc.GetProperty("action").GetString());
        Assert.Equal("m", doc.GetProperty("msg").GetString());
    }

    [Fact]
    public void PatternMatcherFindsOverlappingCaseFoldedPatterns()
    {
        var m = new PatternMatcher([Frames.Bytes("he"), Frames.Bytes("SHE"), Frames.Bytes("his"), Frames.Bytes("hers")]);
        var sink = new Collect();
        m.Scan(Frames.Bytes("uSHErs"), ref sink);
        Assert.Equal([0, 1, 3], sink.Hits.Order());
    }

    private struct Collect : IPatternSink
    {
        public List<int> Hits;

        public readonly bool Wants(int patternId) => true;

        public void Hit(int patternId) => (Hits ??= []).Add(patternId);
    }

    [Fact]
    public void IpRuleFiledByItsIpProtoStillMatchesItsProtocolOnly()
    {
        // An ip rule testing ip_proto:41 is left out of the TCP, UDP and ICMP groups; protocol-41
        // packets (ip group) still reach it, and a negated or ranged test keeps the groups it allows.
        var e = new Engine("""
            alert ip any any -> any any (ip_proto:41; sid:1;)
            alert ip any any -> any any (ip_proto:!41; sid:2;)
            alert ip any any -> any any (ip_proto:2<>20; sid:3;)
            """);
        var sixInFour = FrameBuilder.Ethernet(Frames.MacA, Frames.MacB).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"))
            .IpProtocol(41).Payload(new byte[40]).Build();
        Assert.Equal([1u], e.Feed(sixInFour));
        Assert.Equal([2u, 3u], e.Feed(Frames.Tcp("x")));
        Assert.Equal([2u, 3u], e.Feed(Frames.Udp([1, 2, 3])));
        Assert.Equal([2u], e.Feed(Frames.Icmp(8, 0)));
    }

    [Theory]
    [InlineData(40000, 179, true)]
    [InlineData(179, 40000, true)]
    [InlineData(40000, 180, false)]
    public void BidirectionalPortRuleWithoutContentMatchesEitherWay(ushort sport, ushort dport, bool expected)
    {
        // Filed by port for both the packet's destination and its source port.
        var e = new Engine("""
            alert tcp any any <> any 179 (flags:R; sid:1;)
            alert tcp any 179 <> any any (flags:R; sid:2;)
            """);
        var fired = e.Feed(Frames.Tcp("", sport, dport, TcpFlags.Rst));
        Assert.Equal(expected ? [1u, 2u] : [], fired);
    }

    [Fact]
    public void NegatedFastPatternLeavesCandidacyToAPositiveContent()
    {
        // The marked content is negated: the rule is found through "GET" instead and keeps its meaning.
        var e = new Engine("""
            alert tcp any any -> any any (flow:to_server; content:"GET"; http_method; content:!"Accept"; http_header; fast_pattern; sid:1;)
            alert tcp any any -> any any (content:!"zz"; fast_pattern; dsize:0; sid:2;)
            """);
        e.Handshake();
        Assert.Equal([1u], e.Feed(Frames.Tcp("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Empty(e.Feed(Frames.Tcp("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")));
        Assert.Empty(e.Feed(Frames.Tcp("POST / HTTP/1.1\r\nHost: a\r\n\r\n")));
        // Without a positive content the rule stays a candidate for every packet.
        Assert.Equal([2u], e.Feed(Frames.Tcp("")));
    }

    [Fact]
    public void MatchingPathDoesNotAllocate()
    {
        var set = RuleSet.Load([Path.Combine(RuleData.Root, "et-open-2017-snort29")]);
        var inspector = set.CreateInspector(4096);
        var flows = new OfflineFlows(4096);
        var frames = Bridge.Packets.Pcap.PcapReader.ReadAll(Path.Combine(RuleData.Pcaps, "http_espn.pcapng")).Select(r => (r.Data.ToArray(), r.TimestampNanoseconds)).ToList();
        // Warm up: JIT (tiered compilation needs several passes to settle), regex caches, flow slots.
        for (int pass = 0; pass < 3; pass++)
            foreach (var (f, t) in frames) flows.Inspect(f, t, inspector);
        long timeoutsBefore = Bridge.Rules.Options.PcreOption.Timeouts;
        // The least of three passes: a per-packet allocation shows in every pass, a one-off
        // runtime event (a late tier-up on this thread) in one.
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var (f, t) in frames) flows.Inspect(f, t, inspector);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(inspector.Packets > 1000);
        // The one allowed exception: a pcre search cut by its match timeout throws (and so
        // allocates) — which a CPU starved by parallel test runs can cause on an ordinary payload.
        if (Bridge.Rules.Options.PcreOption.Timeouts == timeoutsBefore) Assert.Equal(0, allocated);
    }
}
