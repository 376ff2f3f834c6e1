using Bridge.Packets;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Stages;
using Bridge.Pipeline.Stages.Transmit;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Stages;

/// <summary>
/// The established-flow shortcuts: the stage run calls the stages by type and skips the
/// first-packet-only ones for a known connection; the VLAN tag is stripped without a memmove.
/// Each must leave what an operator sees (counters, traces, frames on the wire) as it was.
/// </summary>
public sealed class FastPathTests
{
    private static long Counter(TestBed bed, string stage, string name) =>
        bed.Path.Counters[CounterRegistry.All.Single(c => c.Group == stage && c.Name == name).Index];

    [Fact]
    public void Stage_order_is_the_ftd_order_and_only_policy_stages_are_first_packet_only()
    {
        var stages = StageOrder.Create();
        Assert.Equal(
            ["CAPTURE", "ACCESS-LIST", "L2-EGRESS-IFC-LOOKUP", "FLOW-LOOKUP", "ACCESS-LIST", "CONN-SETTINGS",
             "IP-OPTIONS", "INSPECT", "FLOW-CREATION", "EXTERNAL-INSPECT", "TRANSMIT"],
            stages.Select(s => s.Type));
        Assert.Equal([4, 5, 8], Enumerable.Range(0, stages.Length).Where(i => stages[i].FirstPacketOnly));
    }

    [Fact]
    public void Later_packets_of_a_connection_skip_the_policy_stages_but_run_the_others()
    {
        var bed = new TestBed();
        bed.Send(TestBed.Inside, TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Syn, 1000).Build());
        bed.Send(TestBed.Outside, TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Tcp(80, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001).Build());
        for (int i = 0; i < 5; i++)
        {
            var ack = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build();
            Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, ack).Drop);
        }

        Assert.Equal(1, Counter(bed, "ACCESS-LIST", "permitted"));
        Assert.Equal(1, Counter(bed, "FLOW-CREATION", "created"));
        Assert.Equal(6, Counter(bed, "FLOW-LOOKUP", "hits"));
        Assert.Equal(7, Counter(bed, "INSPECT", "tcp_checked"));
        Assert.Equal(7, Counter(bed, "TRANSMIT", "frames"));

        // Traced, a later packet shows no policy phase, as FTD's "using existing flow".
        var trace = new TraceSink();
        var next = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, next, trace: trace).Drop);
        var types = trace.Phases.Select(p => p.Type).ToList();
        Assert.Contains("FLOW-LOOKUP", types);
        Assert.DoesNotContain("CONN-SETTINGS", types);
        Assert.DoesNotContain("FLOW-CREATION", types);
        Assert.Equal(1, types.Count(t => t == "ACCESS-LIST"));
    }

    [Fact]
    public void Stripping_the_tag_in_place_leaves_the_untagged_frame()
    {
        var tagged = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001, payload: [1, 2, 3]).Build();
        var untagged = TestBed.FromA(tagged: false).Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001, payload: [1, 2, 3]).Build();
        var info = new FrameInfo();
        info.Reset();
        Assert.Equal(DropReason.None, FrameDecoder.Decode(tagged, ref info));

        var result = VlanTag.Apply(tagged, info, egressVlan: 0, new byte[tagged.Length + 4], inPlace: true);

        Assert.Equal(untagged, result.ToArray());
    }
}
