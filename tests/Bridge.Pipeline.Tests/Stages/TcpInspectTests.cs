using Bridge.Packets;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Tests.Support;

namespace Bridge.Pipeline.Tests.Stages;

public sealed class TcpInspectTests
{
    private static byte[] A(TcpFlags f, uint seq, uint ack, byte[]? payload = null) =>
        TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, f, seq, ack, payload: payload).Build();

    private static byte[] B(TcpFlags f, uint seq, uint ack, byte[]? payload = null) =>
        TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Tcp(80, 40000, f, seq, ack, payload: payload).Build();

    private static string Flags(TestBed bed)
    {
        var list = new List<Flow>();
        bed.Path.Flows.CopyTo(list);
        return list.Count == 0 ? "(none)" : ShowConn.Flags(list[0]);
    }

    private static TestBed Open()
    {
        var bed = new TestBed();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, A(TcpFlags.Syn, 1000, 0)).Drop);
        Assert.Equal("saA", Flags(bed));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, B(TcpFlags.Syn | TcpFlags.Ack, 5000, 1001)).Drop);
        Assert.Equal("A", Flags(bed));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, A(TcpFlags.Ack, 1001, 5001)).Drop);
        Assert.Equal("U", Flags(bed));
        return bed;
    }

    [Fact]
    public void Handshake_then_data_sets_the_asa_flags_in_order()
    {
        var bed = Open();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, B(TcpFlags.Ack | TcpFlags.Psh, 5001, 1001, new byte[10])).Drop);
        Assert.Equal("UI", Flags(bed));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, A(TcpFlags.Ack | TcpFlags.Psh, 1001, 5011, new byte[20])).Drop);
        Assert.Equal("UIO", Flags(bed));
        var list = new List<Flow>();
        bed.Path.Flows.CopyTo(list);
        Assert.Equal(30, list[0].Bytes);
    }

    [Fact]
    public void Fin_both_ways_and_last_ack_remove_the_connection()
    {
        var bed = Open();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, A(TcpFlags.Fin | TcpFlags.Ack, 1001, 5001)).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, B(TcpFlags.Fin | TcpFlags.Ack, 5001, 1002)).Drop);
        Assert.Equal(1, bed.Path.Flows.Count);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, A(TcpFlags.Ack, 1002, 5002)).Drop);
        Assert.Equal(0, bed.Path.Flows.Count);
    }

    [Fact]
    public void Rst_in_window_removes_the_connection_and_out_of_window_rst_is_dropped()
    {
        var bed = Open();
        Assert.Equal(DropReason.TcpRstfinOoo, bed.Send(TestBed.Outside, B(TcpFlags.Rst, 5001 + 10_000_000, 0)).Drop);
        Assert.Equal(1, bed.Path.Flows.Count);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, B(TcpFlags.Rst, 5001, 0)).Drop);
        Assert.Equal(0, bed.Path.Flows.Count);
    }

    [Fact]
    public void Handshake_violations_have_their_own_reasons()
    {
        var bed = new TestBed();
        bed.Send(TestBed.Inside, A(TcpFlags.Syn, 1000, 0));
        Assert.Equal(DropReason.TcpInvalidAck, bed.Send(TestBed.Outside, B(TcpFlags.Syn | TcpFlags.Ack, 5000, 777)).Drop);
        Assert.Equal(DropReason.Tcp3whsFailed, bed.Send(TestBed.Inside, A(TcpFlags.Ack | TcpFlags.Psh, 1001, 1, new byte[5])).Drop);
        var est = Open();
        Assert.Equal(DropReason.TcpSynOoo, est.Send(TestBed.Inside, A(TcpFlags.Syn, 1001, 0)).Drop);
        Assert.Equal(DropReason.TcpSeqPastWin, est.Send(TestBed.Inside, A(TcpFlags.Ack, 1001 + 50_000_000, 5001)).Drop);
        Assert.Equal(DropReason.TcpInvalidAck, est.Send(TestBed.Inside, A(TcpFlags.Ack, 1001, 5001 + 900_000)).Drop);
    }

    [Fact]
    public void Data_after_fin_is_dropped()
    {
        var bed = Open();
        bed.Send(TestBed.Inside, A(TcpFlags.Fin | TcpFlags.Ack, 1001, 5001));
        Assert.Equal(DropReason.TcpDataPastFin, bed.Send(TestBed.Inside, A(TcpFlags.Ack | TcpFlags.Psh, 1002, 5001, new byte[4])).Drop);
    }
}
