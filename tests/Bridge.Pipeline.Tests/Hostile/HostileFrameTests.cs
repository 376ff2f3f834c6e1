using Bridge.Packets;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Hostile;

/// <summary>
/// Reliability issue §2: every hostile frame is counted once under its FTD asp-drop reason,
/// the established flow around it keeps forwarding, and a trace of the frame names the reason.
/// </summary>
public sealed class HostileFrameTests
{
    /// <summary>The seed config plus an IPv6 rule, so IPv6 fragments can open a connection too.</summary>
    private static readonly string Config = TestBed.SeedConfig.Replace(
        "access-group CSM_FW_ACL_ global",
        "access-list CSM_FW_ACL_ advanced permit ip any6 any6 rule-id 268436483\naccess-group CSM_FW_ACL_ global");

    private const ushort GoodId = 7;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in HostileFrames.All()) data.Add(c.Name);
        return data;
    }

    private static (TestBed Bed, ushort Seq) Established()
    {
        var bed = new TestBed(Config);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(GoodId, 1)).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, TestBed.EchoReply(GoodId, 1)).Drop);
        return (bed, 2);
    }

    /// <summary>One echo request and its reply on the established connection; both must leave.</summary>
    private static void GoodPair(TestBed bed, ref ushort seq)
    {
        int before = bed.Sent.Count;
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(GoodId, seq)).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, TestBed.EchoReply(GoodId, seq)).Drop);
        Assert.Equal(before + 2, bed.Sent.Count);
        seq++;
    }

    private static long TotalDrops(TestBed bed)
    {
        long total = 0;
        for (int r = 1; r < (int)DropReason.Count; r++) total += bed.Path.FrameDrops[r] + bed.Path.FlowDrops[r];
        return total;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Hostile_frame_is_counted_once_under_its_reason_and_good_traffic_flows(string name)
    {
        var c = HostileFrames.Named(name);
        var (bed, seq) = Established();
        GoodPair(bed, ref seq);
        foreach (var frame in c.Prelude ?? [])
        {
            Assert.Equal(DropReason.None, bed.Send(c.Port, frame).Drop);
        }
        int sentBefore = bed.Sent.Count;

        // The trace first: a dry run must name the reason and count nothing.
        var trace = new TraceSink();
        Assert.Equal(c.Reason, bed.Send(c.Port, c.Frame, trace: trace, dryRun: true).Drop);
        Assert.Equal(0, TotalDrops(bed));
        string text = TraceRenderer.Render(trace);
        Assert.Contains("Action: drop", text);
        Assert.Contains($"Drop-reason: ({DropCatalogue.Keyword(c.Reason)}) {DropCatalogue.Label(c.Reason)}", text);

        var outcome = bed.Send(c.Port, c.Frame);
        Assert.Equal(c.Reason, outcome.Drop);
        Assert.Equal(1, bed.Drops(c.Reason));
        Assert.Equal(1, TotalDrops(bed));
        Assert.Equal(sentBefore, bed.Sent.Count);

        GoodPair(bed, ref seq);
        GoodPair(bed, ref seq);
        Assert.Equal(1, TotalDrops(bed));
    }

    [Fact]
    public void A_burst_of_every_case_interleaved_with_a_ping_shows_each_reason_in_show_asp_drop()
    {
        var (bed, seq) = Established();
        var expected = new Dictionary<DropReason, long>();
        foreach (var c in HostileFrames.All())
        {
            foreach (var frame in c.Prelude ?? []) Assert.Equal(DropReason.None, bed.Send(c.Port, frame).Drop);
            Assert.Equal(c.Reason, bed.Send(c.Port, c.Frame).Drop);
            expected[c.Reason] = expected.GetValueOrDefault(c.Reason) + 1;
            GoodPair(bed, ref seq);
        }
        foreach (var (reason, count) in expected) Assert.Equal(count, bed.Drops(reason));

        string show = ShowAspDrop.Render([bed.Path]);
        foreach (var (reason, count) in expected)
        {
            var line = show.Split('\n').Single(l => l.Contains($"({DropCatalogue.Keyword(reason)})", StringComparison.Ordinal));
            Assert.EndsWith(" " + count, line.TrimEnd());
        }
    }

    [Fact]
    public void A_malformed_frame_on_a_known_vlan_is_counted_on_its_nameif_and_named_in_the_trace()
    {
        var (bed, _) = Established();
        var c = HostileFrames.Named("IPv4 IHL 3 (12-byte header)");
        long dropped = bed.Path.Interfaces[0].Dropped;
        var trace = new TraceSink();
        bed.Send(TestBed.Inside, c.Frame, trace: trace);
        Assert.Equal(dropped + 1, bed.Path.Interfaces[0].Dropped);
        Assert.Contains("input-interface: INSIDE", TraceRenderer.Render(trace));
    }

    [Fact]
    public void Teardrop_poisons_the_datagram_so_its_later_fragments_are_dropped_too()
    {
        var (bed, _) = Established();
        var first = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 90).Fragment(0, true).IcmpEcho(true, 10, 1, 32).Build();
        var overlap = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 90).Fragment(32, true).IpProtocol(IpProtocol.Icmp).Payload(new byte[16]).Build();
        var rest = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 90).Fragment(40, false).IpProtocol(IpProtocol.Icmp).Payload(new byte[8]).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, first).Drop);
        Assert.Equal(DropReason.FragmentReassemblyFailed, bed.Send(TestBed.Inside, overlap).Drop);
        // On its own this piece would fit exactly behind the first fragment.
        Assert.Equal(DropReason.FragmentReassemblyFailed, bed.Send(TestBed.Inside, rest).Drop);
    }

    [Fact]
    public void In_order_and_out_of_order_fragments_that_tile_the_datagram_all_pass()
    {
        var (bed, _) = Established();
        FrameBuilder Piece() => TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: 91);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Piece().Fragment(0, true).IcmpEcho(true, 11, 1, 24).Build()).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Piece().Fragment(64, false).IpProtocol(IpProtocol.Icmp).Payload(new byte[10]).Build()).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Piece().Fragment(32, true).IpProtocol(IpProtocol.Icmp).Payload(new byte[16]).Build()).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Piece().Fragment(48, true).IpProtocol(IpProtocol.Icmp).Payload(new byte[16]).Build()).Drop);
        Assert.Equal(0, TotalDrops(bed));
    }

    [Fact]
    public void Land_attack_trace_shows_the_flow_lookup_phase_that_refused_it()
    {
        var (bed, _) = Established();
        var trace = new TraceSink();
        bed.Send(TestBed.Inside, HostileFrames.Named("land attack: TCP SYN from A to A, port 139 to 139").Frame, trace: trace, dryRun: true);
        var phase = trace.Phases[^1];
        Assert.Equal("FLOW-LOOKUP", phase.Type);
        Assert.False(phase.Allowed);
        Assert.Contains(phase.Info, l => l.Contains("land attack", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TcpFlags.Syn, false)]
    [InlineData(TcpFlags.Syn | TcpFlags.Ack, false)]
    [InlineData(TcpFlags.Ack, false)]
    [InlineData(TcpFlags.Fin | TcpFlags.Ack, false)]
    [InlineData(TcpFlags.Rst, false)]
    [InlineData(TcpFlags.Rst | TcpFlags.Ack, false)]
    [InlineData(TcpFlags.Psh | TcpFlags.Ack, false)]
    [InlineData(TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, false)]
    [InlineData(TcpFlags.None, true)]
    [InlineData(TcpFlags.Fin, true)]
    [InlineData(TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg, true)]
    [InlineData(TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Ack, true)]
    [InlineData(TcpFlags.Syn | TcpFlags.Rst, true)]
    [InlineData(TcpFlags.Psh, true)]
    public void Bad_flag_combinations(TcpFlags flags, bool bad) =>
        Assert.Equal(bad, Pipeline.Stages.Sanity.FrameSanity.IsBadFlagCombination(flags));
}
