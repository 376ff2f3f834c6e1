using System.Diagnostics;
using Bridge.Io.AfPacket;
using Bridge.Pipeline.Ports;
using Xunit.Abstractions;

namespace Bridge.Io.Tests;

/// <summary>
/// Measurements behind the choices in src/Bridge.Io/AfPacket/NOTES.md: ping-pong latency through
/// an echoing port (V2 vs V3 ring) and frames per second of a simple send/receive loop. The
/// assertions are loose sanity bounds; the numbers are printed for the notes.
/// </summary>
public sealed class RingMeasurementTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(RingVersion.V2)]
    [InlineData(RingVersion.V3)]
    public void Ping_pong_latency_through_an_echoing_port(RingVersion ring)
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        AfPacketPort echoPort;
        using (NetworkNamespace.Enter(a))
            echoPort = AfPacketPort.Open("va", 20, new AfPacketOptions { Ring = ring, BlockTimeoutMs = 1 });
        using var port = echoPort;
        using var peer = new RawSocket(b, "vb");
        var echo = new Echo(port);
        using var stop = new CancellationTokenSource();
        var worker = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
                port.Receive(echo, 50);
        });
        worker.Start();
        try
        {
            var rtts = new List<double>();
            for (int i = 0; i < 300; i++)
            {
                var frame = Frames.Udp(64, (byte)i);
                long t0 = Stopwatch.GetTimestamp();
                peer.Send(frame);
                var back = peer.ReceiveTestFrame(1000, f => f[11] == 0x02 && f[19] == (byte)i);
                Assert.NotNull(back);
                if (i >= 20)
                    rtts.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
            rtts.Sort();
            double median = rtts[rtts.Count / 2];
            double p99 = rtts[rtts.Count * 99 / 100];
            output.WriteLine($"{ring}: ping-pong RTT median {median:F0} us, p99 {p99:F0} us, max {rtts[^1]:F0} us ({rtts.Count} samples)");
            Assert.True(median < 20_000, $"median RTT {median} us");
        }
        finally
        {
            stop.Cancel();
            worker.Join();
        }
    }

    [Theory]
    [InlineData(RingVersion.V2)]
    [InlineData(RingVersion.V3)]
    public void Send_receive_loop_rate(RingVersion ring)
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        AfPacketPort rx, tx;
        using (NetworkNamespace.Enter(a))
            rx = AfPacketPort.Open("va", 21, new AfPacketOptions { Ring = ring });
        using (NetworkNamespace.Enter(b))
            tx = AfPacketPort.Open("vb", 22, new AfPacketOptions { Ring = RingVersion.V2 });
        using var rxPort = rx;
        using var txPort = tx;
        var frame = Frames.Udp(46, 1);
        var counter = new Counter();
        using var stop = new CancellationTokenSource();
        var sender = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < 64; i++)
                    txPort.Send(frame);
                txPort.Flush();
            }
        });
        var sw = Stopwatch.StartNew();
        sender.Start();
        while (sw.ElapsedMilliseconds < 2000)
            rxPort.Receive(counter, 10);
        stop.Cancel();
        sender.Join();
        double seconds = sw.Elapsed.TotalSeconds;
        var (_, kernelDrops) = rxPort.ReadKernelStatistics();
        output.WriteLine($"{ring}: received {counter.Frames / seconds:F0} frames/s (sent {txPort.TxFrames / seconds:F0}/s, " +
                         $"tx refused {txPort.TxDropped}, ring drops {kernelDrops}), 100-byte frames, one core each side");
        Assert.True(counter.Frames > 10_000, $"only {counter.Frames} frames");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void Transmit_rate_by_batch_size(int batch)
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        AfPacketPort tx;
        using (NetworkNamespace.Enter(b))
            tx = AfPacketPort.Open("vb", 23, new AfPacketOptions { TxBatch = batch });
        using var txPort = tx;
        var frame = Frames.Udp(46, 1);
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 1000)
        {
            for (int i = 0; i < 64; i++)
                txPort.Send(frame);
            txPort.Flush();
        }
        double rate = txPort.TxFrames / sw.Elapsed.TotalSeconds;
        output.WriteLine($"TX batch {batch}: {rate:F0} frames/s sent (refused {txPort.TxDropped}), nobody reading on the peer");
        Assert.True(txPort.TxFrames > 10_000);
    }

    private sealed class Echo(AfPacketPort port) : IRxHandler
    {
        public void OnFrame(Span<byte> frame, long timestampNs)
        {
            if (!Frames.IsTestFrame(frame) || frame[11] != 0x01)
                return;
            frame[11] = 0x02;
            port.Send(frame);
            port.Flush();
        }
    }

    private sealed class Counter : IRxHandler
    {
        public long Frames;

        public void OnFrame(Span<byte> frame, long timestampNs) => Frames++;
    }
}
