using Bridge.Capture.Tcpdump;
using Bridge.Pipeline.Core;

namespace Bridge.Capture.Tests.Tcpdump;

public sealed class SnortTapRingTests
{
    private static void Offer(ISnortTap tap, byte[] frame, long now)
    {
        var ctx = new PacketContext(frame, 0, now);
        tap.Offer(ref ctx);
    }

    private static List<(long Time, byte[] Frame, int Wire)> Drain(SnortTapRing ring)
    {
        var frames = new List<(long, byte[], int)>();
        ring.Drain((t, f, w) => frames.Add((t, f.ToArray(), w)));
        return frames;
    }

    [Fact]
    public void Keeps_frames_in_order_cut_to_the_slot_with_their_wire_length()
    {
        var ring = new SnortTapRing(slotSize: 4, slots: 8);

        Offer(ring, [1, 2, 3, 4, 5, 6], 10);
        Offer(ring, [7, 8], 20);

        var frames = Drain(ring);
        Assert.Equal(2, frames.Count);
        Assert.Equal((10L, 6), (frames[0].Time, frames[0].Wire));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, frames[0].Frame);
        Assert.Equal((20L, 2), (frames[1].Time, frames[1].Wire));
        Assert.Equal(new byte[] { 7, 8 }, frames[1].Frame);
        Assert.Empty(Drain(ring));
    }

    [Fact]
    public void A_full_ring_counts_drops_instead_of_overwriting_and_reuses_slots_once_read()
    {
        var ring = new SnortTapRing(slotSize: 2, slots: 3);

        for (byte i = 0; i < 5; i++) Offer(ring, [i], i);

        Assert.Equal(5, ring.Offered);
        Assert.Equal(2, ring.Dropped);
        Assert.Equal(new byte[] { 0, 1, 2 }, Drain(ring).Select(f => f.Frame[0]));

        for (byte i = 5; i < 8; i++) Offer(ring, [i], i);
        Assert.Equal(new byte[] { 5, 6, 7 }, Drain(ring).Select(f => f.Frame[0]));
        Assert.Equal(2, ring.Dropped);
    }

    [Fact]
    public void A_fanout_offers_every_frame_to_each_session()
    {
        var first = new SnortTapRing(16, 4);
        var second = new SnortTapRing(16, 4);

        Offer(new SnortTapFanout([first, second]), [9, 9], 1);

        Assert.Single(Drain(first));
        Assert.Single(Drain(second));
    }

    [Fact]
    public void A_session_filters_and_prints_what_the_rings_hold_in_time_order()
    {
        var frameA = Bridge.Packets.FrameBuilder.Ethernet(default, default).Ipv4(Bridge.Packets.IpAddr.Parse("10.0.0.1"), Bridge.Packets.IpAddr.Parse("10.0.0.2")).IcmpEcho(true, 1, 1).Build();
        var frameB = Bridge.Packets.FrameBuilder.Ethernet(default, default).Ipv4(Bridge.Packets.IpAddr.Parse("10.0.0.2"), Bridge.Packets.IpAddr.Parse("10.0.0.1")).Udp(1, 2).Build();
        using var session = new CaptureTrafficSession(TcpdumpOptions.Parse(["-n", "-c", "2", "icmp", "or", "udp"]), workers: 2, zone: TimeZoneInfo.Utc);

        Offer(session.Rings[1], frameB, 2_000_000_000);
        Offer(session.Rings[0], frameA, 1_000_000_000);
        Offer(session.Rings[0], new byte[60], 3_000_000_000);

        Assert.Equal(
            "00:00:01.000000 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 40\n" +
            "00:00:02.000000 IP 10.0.0.2.1 > 10.0.0.1.2: UDP, length 0\n",
            session.Pump());
        Assert.True(session.Done);
        Assert.Equal("2 packets captured\n3 packets received by filter\n0 packets dropped by kernel\n", session.Summary());
    }
}
