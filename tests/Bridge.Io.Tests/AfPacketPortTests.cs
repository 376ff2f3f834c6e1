using Bridge.Io.AfPacket;
using Bridge.Pipeline.Ports;

namespace Bridge.Io.Tests;

public sealed class AfPacketPortTests
{
    private static readonly Frames.Tag Dot1Q = new(0x8100, (5 << 13) | 1577);
    private static readonly Frames.Tag PriorityOnly = new(0x8100, 3 << 13);
    private static readonly Frames.Tag Dot1AdOuter = new(0x88a8, (1 << 13) | 100);
    private static readonly Frames.Tag Dot1AdInner = new(0x8100, (2 << 13) | 200);

    private static AfPacketPort OpenIn(string ns, string device, int group, RingVersion ring, int mtu = 0)
    {
        using (NetworkNamespace.Enter(ns))
            return AfPacketPort.Open(device, group, new AfPacketOptions { Ring = ring, Mtu = mtu });
    }

    [Theory]
    [InlineData(RingVersion.V2)]
    [InlineData(RingVersion.V3)]
    public void Receive_hands_over_untagged_dot1q_and_dot1ad_frames_byte_for_byte(RingVersion ring)
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va", 10, ring);
        using var peer = new RawSocket(b, "vb");

        byte[][] sent =
        [
            Frames.Udp(64, 1),
            Frames.Udp(64, 2, Dot1Q),
            Frames.Udp(64, 3, PriorityOnly),
            Frames.Udp(64, 4, Dot1AdOuter, Dot1AdInner),
            Frames.Udp(10, 5, Dot1AdOuter),
        ];
        foreach (var f in sent)
            peer.Send(f);

        var collector = new FrameCollector();
        collector.Drain(port, sent.Length, 3000);
        Assert.Equal(sent.Length, collector.Frames.Count);
        for (int i = 0; i < sent.Length; i++)
            Assert.Equal(sent[i], collector.Frames[i]);
        Assert.True(port.LinkUp);
    }

    [Theory]
    [InlineData(RingVersion.V2)]
    [InlineData(RingVersion.V3)]
    public void Jumbo_frames_are_received_whole_when_the_mtu_allows(RingVersion ring)
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb", mtu: 9000);
        using var port = OpenIn(a, "va", 11, ring);
        using var peer = new RawSocket(b, "vb");
        Assert.Equal(9018, port.MaxFrameBytes);

        var untagged = Frames.Udp(9000 - 28, 7);
        var tagged = Frames.Udp(9000 - 28, 8, Dot1Q);
        peer.Send(untagged);
        peer.Send(tagged);
        var collector = new FrameCollector();
        collector.Drain(port, 2, 3000);
        Assert.Equal(2, collector.Frames.Count);
        Assert.Equal(untagged, collector.Frames[0]);
        Assert.Equal(9018, collector.Frames[1].Length);
        Assert.Equal(tagged, collector.Frames[1]);
        Assert.Equal(0, port.RxTruncated);
    }

    [Fact]
    public void Send_reaches_the_peer_unchanged_and_is_not_received_back()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va", 12, RingVersion.V2);
        byte[][] frames =
        [
            Frames.Udp(100, 1),
            Frames.Udp(100, 2, Dot1Q),
            Frames.Udp(100, 3, Dot1AdOuter, Dot1AdInner),
        ];

        List<byte[]> seen;
        using (var capture = new TcpdumpCapture(b, "vb"))
        {
            foreach (var f in frames)
                Assert.True(port.Send(f));
            port.Flush();
            var collector = new FrameCollector();
            collector.Drain(port, 1, 500);
            Assert.Empty(collector.Frames);
            seen = capture.Stop();
        }

        Assert.Equal(0, port.LastTxErrno);
        Assert.Equal(3, port.TxFrames);
        Assert.Equal(frames.Length, seen.Count);
        for (int i = 0; i < frames.Length; i++)
            Assert.Equal(frames[i], seen[i]);
    }

    [Fact]
    public void Frames_sent_by_another_socket_on_the_same_host_are_not_received()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va", 13, RingVersion.V3);
        using var ownHost = new RawSocket(a, "va");
        using var peer = new RawSocket(b, "vb");

        ownHost.Send(Frames.Udp(40, 1));
        Assert.NotNull(peer.ReceiveTestFrame(1000));
        peer.Send(Frames.Udp(40, 2));
        var collector = new FrameCollector();
        collector.Drain(port, 2, 500);
        Assert.Single(collector.Frames);
        Assert.Equal(Frames.Udp(40, 2), collector.Frames[0]);
    }

    [Fact]
    public void Receive_and_send_do_not_allocate()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va", 14, RingVersion.V2);
        using var portV3 = OpenIn(b, "vb", 15, RingVersion.V3);
        var counter = new CountingHandler();
        var frame = Frames.Udp(200, 1, Dot1Q);

        // Warm up: JIT, first poll, tier-up of the loop.
        for (int round = 0; round < 3; round++)
            Exchange(port, portV3, counter, frame, 50);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int received = Exchange(port, portV3, counter, frame, 500);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(received >= 400, $"only {received} frames received");
        Assert.Equal(0, allocated);
    }

    private static int Exchange(AfPacketPort a, AfPacketPort b, CountingHandler counter, byte[] frame, int count)
    {
        int start = counter.Frames;
        for (int i = 0; i < count; i++)
        {
            a.Send(frame);
            b.Send(frame);
            if (i % 32 == 31)
            {
                a.Flush();
                b.Flush();
                a.Receive(counter, 0);
                b.Receive(counter, 0);
            }
        }
        a.Flush();
        b.Flush();
        long deadline = Environment.TickCount64 + 1000;
        while (counter.Frames - start < 2 * count && Environment.TickCount64 < deadline)
        {
            a.Receive(counter, 5);
            b.Receive(counter, 5);
        }
        return (counter.Frames - start) / 2;
    }

    [Fact]
    public void Link_down_and_up_is_survived()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        using var port = OpenIn(a, "va", 16, RingVersion.V2);
        using var peer = new RawSocket(b, "vb");
        var collector = new FrameCollector();
        Assert.True(port.LinkUp);

        // Carrier loss: the peer end goes down.
        lab.Exec(b, "ip", "link", "set", "vb", "down");
        WaitFor(() => !port.LinkUp, port, collector);
        Assert.False(port.Send(Frames.Udp(10, 1)));
        lab.Exec(b, "ip", "link", "set", "vb", "up");
        WaitFor(() => port.LinkUp, port, collector);

        // Our own device goes down and up: the socket gets ENETDOWN and must rejoin.
        lab.Exec(a, "ip", "link", "set", "va", "down");
        WaitFor(() => !port.LinkUp, port, collector);
        lab.Exec(a, "ip", "link", "set", "va", "up");
        WaitFor(() => port.LinkUp, port, collector);

        peer.Send(Frames.Udp(30, 9));
        collector.Drain(port, 1, 2000);
        Assert.Single(collector.Frames);
        Assert.True(port.Send(Frames.Udp(30, 10)));
        port.Flush();
        Assert.NotNull(peer.ReceiveTestFrame(1000));
    }

    private static void WaitFor(Func<bool> condition, IFramePort port, IRxHandler handler)
    {
        long deadline = Environment.TickCount64 + 3000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "link state did not change within 3 s");
            port.Receive(handler, 20);
        }
    }

    private sealed class CountingHandler : IRxHandler
    {
        public int Frames;
        public long Bytes;

        public void OnFrame(Span<byte> frame, long timestampNs)
        {
            Frames++;
            Bytes += frame.Length;
        }
    }
}
