using Bridge.Packets;
using Bridge.Pipeline.Stages.FlowLookup;
using Bridge.Pipeline.Tests.Support;

namespace Bridge.Pipeline.Tests.Hostile;

/// <summary>The range bookkeeping behind the fragment drops, fed decoded fragments directly.</summary>
public sealed class FragmentMapTests
{
    private const long Now = TestBed.T0;

    private static FrameInfo Piece(int offset, int bytes, bool more, ushort id = 500)
    {
        var builder = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, id: id).Fragment(offset, more);
        var frame = offset == 0
            ? builder.Udp(5000, 53, new byte[bytes - 8]).Build()
            : builder.IpProtocol(IpProtocol.Udp).Payload(new byte[bytes]).Build();
        var info = new FrameInfo();
        info.Reset();
        Assert.Equal(DropReason.None, FrameDecoder.Decode(frame, ref info));
        return info;
    }

    private static FragmentVerdict Admit(FragmentMap map, FrameInfo info, bool record = true)
    {
        ushort sp = info.SrcPort, dp = info.DstPort;
        return map.Admit(info, Now, record, ref sp, ref dp);
    }

    [Fact]
    public void Later_fragments_get_the_ports_of_the_first()
    {
        var map = new FragmentMap();
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true)));
        ushort sp = 0, dp = 0;
        Assert.Equal(FragmentVerdict.Accepted, map.Admit(Piece(16, 8, false), Now, true, ref sp, ref dp));
        Assert.Equal((5000, 53), ((int)sp, (int)dp));
    }

    [Fact]
    public void More_than_four_disjoint_pieces_are_refused_until_a_gap_closes()
    {
        var map = new FragmentMap();
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(32, 8, true)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(64, 8, true)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(96, 8, false)));
        Assert.Equal(FragmentVerdict.TooFragmented, Admit(map, Piece(80, 8, true)));
        // Filling the gap 16..32 joins two ranges, so it fits; then 80 fits too.
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(16, 16, true)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(80, 8, true)));
    }

    [Fact]
    public void A_dry_run_neither_records_nor_poisons()
    {
        var map = new FragmentMap();
        Assert.Equal(FragmentVerdict.NoFirstFragment, Admit(map, Piece(16, 8, false)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true), record: false));
        Assert.Equal(FragmentVerdict.NoFirstFragment, Admit(map, Piece(16, 8, false)));

        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true)));
        Assert.Equal(FragmentVerdict.Overlap, Admit(map, Piece(8, 16, true), record: false));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(16, 8, false)));
    }

    [Fact]
    public void A_middle_piece_must_be_a_multiple_of_8_and_no_piece_may_end_past_65535()
    {
        var map = new FragmentMap();
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true)));
        Assert.Equal(FragmentVerdict.BadGeometry, Admit(map, Piece(16, 12, true)));
        Assert.Equal(FragmentVerdict.BadGeometry, Admit(map, Piece(65528, 8 + 1, false)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(65528, 7, false)));
    }

    [Fact]
    public void Fragments_of_another_datagram_do_not_meet_this_one()
    {
        var map = new FragmentMap();
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true, id: 1)));
        Assert.Equal(FragmentVerdict.NoFirstFragment, Admit(map, Piece(8, 8, false, id: 2)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(0, 16, true, id: 2)));
        Assert.Equal(FragmentVerdict.Overlap, Admit(map, Piece(8, 8, false, id: 2)));
        Assert.Equal(FragmentVerdict.Accepted, Admit(map, Piece(16, 8, false, id: 1)));
    }
}
