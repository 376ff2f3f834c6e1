using Bridge.Packets;
using Bridge.Pipeline.Tests.Support;

namespace Bridge.Pipeline.Tests.Stages;

/// <summary>The forwarding path must not allocate: zero bytes per frame is a test, not a hope.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Established_flow_path_allocates_nothing()
    {
        var bed = new TestBed();
        var tx = new CountingTransmitter();
        bed.Path.Transmitter = tx;
        var req = TestBed.EchoRequest(1, 1);
        var rep = TestBed.EchoReply(1, 1);
        var syn = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Syn, 1000).Build();
        var synAck = TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Tcp(80, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001).Build();
        var ack = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build();
        // The data path rewrites VLAN tags in place (the frame is ring memory), so keep the originals intact.
        bed.Send(TestBed.Inside, (byte[])syn.Clone());
        bed.Send(TestBed.Outside, synAck);
        bed.Send(TestBed.Inside, (byte[])ack.Clone());
        var reqCopy = new byte[req.Length];
        var ackCopy = new byte[ack.Length];
        // Warm up (JIT, tiering) before measuring.
        for (int i = 0; i < 2000; i++) Round(bed, req, rep, reqCopy, ack, ackCopy, i);
        int round = 2000;
        long allocated = SteadyState.AllocatedBytes(() =>
        {
            for (int i = 0; i < 20000; i++) Round(bed, req, rep, reqCopy, ack, ackCopy, round++);
        });
        Assert.Equal(0, allocated);
        var drops = string.Join(", ", Enumerable.Range(0, bed.Path.FrameDrops.Length).Where(i => bed.Path.FrameDrops[i] > 0).Select(i => $"{(DropReason)i}={bed.Path.FrameDrops[i]}"));
        Assert.True(tx.Frames >= 60000, $"only {tx.Frames} frames sent; drops: {drops}");
    }

    private static void Round(TestBed bed, byte[] req, byte[] rep, byte[] reqCopy, byte[] ack, byte[] ackCopy, int i)
    {
        // Egress rewrites the tag in place, so each round sends a fresh copy of the tagged frame.
        req.CopyTo(reqCopy, 0);
        ack.CopyTo(ackCopy, 0);
        long t = TestBed.T0 + i * 1000L;
        bed.Path.Process(reqCopy, TestBed.Inside, t);
        bed.Path.Process(rep, TestBed.Outside, t + 10);
        bed.Path.Process(ackCopy, TestBed.Inside, t + 20);
    }

    private sealed class CountingTransmitter : Bridge.Pipeline.Core.ITransmitter
    {
        public long Frames;

        public void Transmit(int physPort, ReadOnlySpan<byte> frame) => Frames++;

        public bool IsLinkUp(int physPort) => true;
    }
}
