using Bridge.Io.AfPacket;

namespace Bridge.Io.Tests;

/// <summary>
/// <see cref="AfPacketPort.BacklogAtLeast"/>, the worker's "engine busy" measure, against a real
/// ring that a peer fills while nobody reads: it must turn true at the fraction asked, in order
/// (25 % long before 75 %), and fall back once the reader catches up.
/// </summary>
public sealed class BacklogTests
{
    [Theory]
    [InlineData(RingVersion.V2)]
    [InlineData(RingVersion.V3)]
    public void The_backlog_is_read_from_the_ring_as_it_fills_and_drains(RingVersion ring)
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb");
        // A small ring (a few dozen slots or 16 blocks), so that a peer fills it in a test's time.
        var options = new AfPacketOptions { Ring = ring, RingBytes = 64 << 10, BlockBytes = 4 << 10, BlockTimeoutMs = 1 };
        AfPacketPort port;
        using (NetworkNamespace.Enter(a))
            port = AfPacketPort.Open("va", 31, options);
        using var _ = port;
        using var peer = new RawSocket(b, "vb");

        Assert.False(port.BacklogAtLeast(25));
        int sent = 0, at25 = -1;
        while (!port.BacklogAtLeast(75))
        {
            Assert.True(sent < 2000, "the ring never filled to 75 %");
            peer.Send(Frames.Udp(64, (byte)sent));
            sent++;
            // V3: let the block retire (1 ms timeout) so that each frame tends to fill a block of its own.
            Thread.Sleep(ring == RingVersion.V3 ? 4 : 1);
            if (at25 < 0 && port.BacklogAtLeast(25)) at25 = sent;
        }
        Assert.True(at25 > 0 && at25 < sent, $"25 % at {at25} frames, 75 % at {sent}");
        // The fractions are of one ring: 75 % needs about three times the frames of 25 % (± a
        // frame or block of rounding, and V3 blocks that caught two frames).
        Assert.InRange(sent, 2 * at25, 4 * at25 + 4);
        Assert.True(port.BacklogAtLeast(50));

        // The reader catches up: no backlog at any mark.
        var collector = new FrameCollector();
        collector.Drain(port, sent, 3000);
        Assert.Equal(sent, collector.Frames.Count);
        Assert.False(port.BacklogAtLeast(25));
        Assert.False(port.BacklogAtLeast(1));
    }
}
