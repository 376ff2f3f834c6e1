using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Stages;

/// <summary>The EXTERNAL-INSPECT contract: every verdict and what it does to the packet and the flow.</summary>
public sealed class ExternalInspectTests
{
    private static byte[] Udp(byte[] payload) => TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp(1000, 53, payload).Build();

    private static (TestBed bed, ScriptedInspector insp) Bed(InspectorVerdict onMarker)
    {
        var bed = new TestBed();
        var insp = new ScriptedInspector { OnMarker = onMarker };
        bed.Path.Inspector = insp;
        return (bed, insp);
    }

    [Fact]
    public void Block_packet_drops_only_that_packet()
    {
        var (bed, insp) = Bed(InspectorVerdict.BlockPacket);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("hello"u8.ToArray())).Drop);
        var trace = new TraceSink();
        Assert.Equal(DropReason.SnortDrop, bed.Send(TestBed.Inside, Udp("EVIL!"u8.ToArray()), trace: trace).Drop);
        Assert.Contains("Snort Verdict: (block-packet) drop this packet", TraceRenderer.Render(trace));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("fine"u8.ToArray())).Drop);
        Assert.Equal(3, insp.Calls);
        Assert.Equal(1, bed.Path.FrameDrops[(int)DropReason.SnortDrop]);
    }

    [Fact]
    public void Black_list_drops_the_rest_of_the_flow_without_asking_again()
    {
        var (bed, insp) = Bed(InspectorVerdict.BlockFlow);
        Assert.Equal(DropReason.SnortDrop, bed.Send(TestBed.Inside, Udp("EVIL"u8.ToArray())).Drop);
        Assert.Equal(DropReason.SnortDrop, bed.Send(TestBed.Inside, Udp("innocent"u8.ToArray())).Drop);
        Assert.Equal(1, insp.Calls);
        Assert.Equal(2, bed.Path.FlowDrops[(int)DropReason.SnortDrop]);
    }

    [Fact]
    public void Fast_forward_stops_inspection_for_the_flow()
    {
        var (bed, insp) = Bed(InspectorVerdict.AllowFlow);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("EVIL"u8.ToArray())).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("more"u8.ToArray())).Drop);
        Assert.Equal(1, insp.Calls);
    }

    [Fact]
    public void Trusted_rule_bypasses_the_inspector()
    {
        var bed = new TestBed(TestBed.SeedConfig.Replace("advanced permit ip", "advanced trust ip", StringComparison.Ordinal));
        var insp = new ScriptedInspector();
        bed.Path.Inspector = insp;
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("EVIL"u8.ToArray())).Drop);
        Assert.Equal(0, insp.Calls);
    }
}
