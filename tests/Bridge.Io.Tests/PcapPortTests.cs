using Bridge.Io.Pcap;
using Bridge.Pipeline.Ports;
using Xunit.Abstractions;

namespace Bridge.Io.Tests;

public sealed class PcapPortTests(ITestOutputHelper output)
{
    private static readonly Frames.Tag Dot1Q = new(0x8100, (5 << 13) | 1577);
    private static readonly Frames.Tag Dot1AdOuter = new(0x88a8, (1 << 13) | 100);
    private static readonly Frames.Tag Dot1AdInner = new(0x8100, (2 << 13) | 200);

    private static PcapPort OpenIn(string ns, string device)
    {
        using (NetworkNamespace.Enter(ns))
            return PcapPort.Open(device);
    }

    [Fact]
    public void Receive_hands_over_untagged_dot1q_and_dot1ad_frames_byte_for_byte()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb", mtu: 9000);
        using var port = OpenIn(a, "va");
        using var peer = new RawSocket(b, "vb");
        byte[][] sent =
        [
            Frames.Udp(64, 1),
            Frames.Udp(64, 2, Dot1Q),
            Frames.Udp(64, 3, Dot1AdOuter, Dot1AdInner),
            Frames.Udp(9000 - 28, 4, Dot1Q),
        ];
        foreach (var f in sent)
            peer.Send(f);

        var collector = new FrameCollector();
        collector.Drain(port, sent.Length, 3000);
        Assert.Equal(sent.Length, collector.Frames.Count);
        for (int i = 0; i < sent.Length; i++)
            Assert.Equal(sent[i], collector.Frames[i]);
        Assert.True(port.LinkUp);
        Assert.Equal(0, port.RxTruncated);
    }

    [Fact]
    public void Send_reaches_the_peer_unchanged_and_only_inbound_frames_are_received()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va");
        using var ownHost = new RawSocket(a, "va");
        using var peer = new RawSocket(b, "vb");
        byte[][] frames = [Frames.Udp(100, 1), Frames.Udp(100, 2, Dot1Q), Frames.Udp(100, 3, Dot1AdOuter, Dot1AdInner)];

        List<byte[]> seen;
        using (var capture = new TcpdumpCapture(b, "vb"))
        {
            foreach (var f in frames)
                Assert.True(port.Send(f));
            port.Flush();
            // The host's own transmission on the same device is outbound too.
            ownHost.Send(Frames.Udp(20, 9));
            seen = capture.Stop();
        }
        Assert.Equal(frames.Length + 1, seen.Count);
        for (int i = 0; i < frames.Length; i++)
            Assert.Equal(frames[i], seen[i]);

        peer.Send(Frames.Udp(30, 7));
        var collector = new FrameCollector();
        collector.Drain(port, 2, 1000);
        Assert.Single(collector.Frames);
        Assert.Equal(Frames.Udp(30, 7), collector.Frames[0]);
    }

    [Fact]
    public void Receive_does_not_allocate()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va");
        using var peer = new RawSocket(b, "vb");
        var counter = new CountingHandler();
        var frame = Frames.Udp(100, 1);
        // Warm up: JIT, tier-up of the loops, the poll path (a timeout at the end of each round).
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 100; i++)
                peer.Send(frame);
            Drain(port, counter, 100);
            port.Receive(counter, 5);
        }

        for (int i = 0; i < 500; i++)
            peer.Send(frame);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int received = Drain(port, counter, 500);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, received);
        output.WriteLine($"libpcap port: {allocated / (double)received:F1} bytes allocated per received frame");
        Assert.Equal(0, allocated);
    }

    private static int Drain(IFramePort port, CountingHandler counter, int expected)
    {
        int start = counter.Frames;
        long deadline = Environment.TickCount64 + 3000;
        while (counter.Frames - start < expected && Environment.TickCount64 < deadline)
            port.Receive(counter, 20);
        return counter.Frames - start;
    }

    private sealed class CountingHandler : IRxHandler
    {
        public int Frames;

        public void OnFrame(Span<byte> frame, long timestampNs) => Frames++;
    }
}
