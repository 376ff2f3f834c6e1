using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Stages.ExternalInspect;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Stages;

/// <summary>A reject verdict drops the packet and answers it: resets for TCP, ICMP unreachable otherwise.</summary>
public sealed class RejectTests
{
    private static TestBed Bed()
    {
        var bed = new TestBed();
        bed.Path.Inspector = new ScriptedInspector { OnMarker = InspectorVerdict.Reject };
        // Teach the bridge where B is, so that the receiver's interface is known.
        bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1));
        bed.Send(TestBed.Outside, TestBed.EchoReply(1, 1));
        bed.Sent.Clear();
        return bed;
    }

    private static byte[] TcpFromA(TcpFlags flags, uint seq, uint ack, string payload) =>
        TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 23, flags, seq, ack, payload: System.Text.Encoding.ASCII.GetBytes(payload)).Build();

    private static void AssertChecksums(FrameInfo info, byte[] frame)
    {
        Assert.True(info.Ipv4ChecksumValid);
        var segment = frame.AsSpan(info.L4Offset, info.L4Length);
        if (info.Protocol == 1) Assert.True(InternetChecksum.Verify(segment));
        else Assert.True(InternetChecksum.VerifyV4(info.SrcIp, info.DstIp, info.Protocol, segment));
    }

    [Fact]
    public void Tcp_gets_a_reset_to_each_end_written_as_the_other_end()
    {
        var bed = Bed();
        // Connection set up first (the stage needs no flow, but the ACL must let the packet reach it).
        bed.Send(TestBed.Inside, TcpFromA(TcpFlags.Syn, 1000, 0, ""));
        bed.Send(TestBed.Outside, TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Tcp(23, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001).Build());
        bed.Send(TestBed.Inside, TcpFromA(TcpFlags.Ack, 1001, 5001, ""));
        bed.Sent.Clear();

        var trace = new TraceSink();
        var outcome = bed.Send(TestBed.Inside, TcpFromA(TcpFlags.Ack | TcpFlags.Psh, 1001, 5001, "EVIL payload"), trace: trace);
        Assert.Equal(DropReason.SnortDrop, outcome.Drop);
        Assert.Contains("Reject: TCP reset sent to both ends", TraceRenderer.Render(trace));
        Assert.Equal(2, bed.Sent.Count);

        var toA = bed.Sent.Single(f => f.Port == TestBed.Inside);
        var a = toA.Decode();
        Assert.Equal((ushort)1577, a.OuterVlan);
        Assert.Equal(TestBed.MacA, a.Dst);
        Assert.Equal(TestBed.MacB, a.Src);
        Assert.Equal(TestBed.IpB, a.SrcIp);
        Assert.Equal(TestBed.IpA, a.DstIp);
        Assert.Equal((ushort)23, a.SrcPort);
        Assert.Equal((ushort)40000, a.DstPort);
        Assert.Equal(TcpFlags.Rst, a.TcpFlags);
        Assert.Equal(5001u, a.TcpSeq);
        AssertChecksums(a, toA.Bytes);

        var toB = bed.Sent.Single(f => f.Port == TestBed.Outside);
        var b = toB.Decode();
        Assert.Equal(0, b.VlanCount);
        Assert.Equal(TestBed.MacB, b.Dst);
        Assert.Equal(TestBed.IpA, b.SrcIp);
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, b.TcpFlags);
        Assert.Equal(1001u, b.TcpSeq);
        Assert.Equal(5001u, b.TcpAck);
        AssertChecksums(b, toB.Bytes);
        Assert.Equal(2, bed.Path.Counters[Counters.CounterRegistry.All.Single(c => c.Group == "SNORT" && c.Name == "reject_replies").Index]);
    }

    [Fact]
    public void A_rejected_syn_is_acknowledged_by_the_reset_to_its_sender()
    {
        var bed = Bed();
        bed.Send(TestBed.Inside, TcpFromA(TcpFlags.Syn, 7000, 0, "EVIL"));
        var a = bed.Sent.Single(f => f.Port == TestBed.Inside).Decode();
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, a.TcpFlags);
        Assert.Equal(0u, a.TcpSeq);
        Assert.Equal(7000u + 4 + 1, a.TcpAck);
    }

    [Fact]
    public void Udp_gets_a_port_unreachable_quoting_the_datagram()
    {
        var bed = Bed();
        byte[] udp = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp(1000, 53, "EVIL query"u8.ToArray()).Build();
        Assert.Equal(DropReason.SnortDrop, bed.Send(TestBed.Inside, udp).Drop);
        var sent = Assert.Single(bed.Sent);
        Assert.Equal(TestBed.Inside, sent.Port);
        var info = sent.Decode();
        Assert.Equal(TestBed.IpB, info.SrcIp);
        Assert.Equal(TestBed.IpA, info.DstIp);
        Assert.Equal((byte)1, info.Protocol);
        Assert.Equal(3, sent.Bytes[info.L4Offset]);
        Assert.Equal(3, sent.Bytes[info.L4Offset + 1]);
        // The quote is the offending IP header and the first 8 bytes after it (the UDP header).
        int l3 = 18;
        Assert.Equal(udp.AsSpan(l3, 28).ToArray(), sent.Bytes.AsSpan(info.L4Offset + 8, 28).ToArray());
        AssertChecksums(info, sent.Bytes);
    }

    [Fact]
    public void Dry_run_sends_nothing_but_says_what_it_would_send()
    {
        var bed = Bed();
        var trace = new TraceSink();
        byte[] udp = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp(1000, 53, "EVIL"u8.ToArray()).Build();
        Assert.Equal(DropReason.SnortDrop, bed.Send(TestBed.Inside, udp, trace: trace, dryRun: true).Drop);
        Assert.Empty(bed.Sent);
        Assert.Contains("Reject: ICMP destination unreachable sent to the sender", TraceRenderer.Render(trace));
    }

    [Fact]
    public void An_icmp_error_is_never_answered_with_another()
    {
        var info = new FrameInfo();
        info.Reset();
        byte[] unreachable = TestBed.FromA(tagged: false).Ipv4(TestBed.IpA, TestBed.IpB).Icmp(3, 3, new byte[4 + 28]).Build();
        FrameDecoder.Decode(unreachable, ref info);
        Assert.Equal(0, RejectReply.IcmpUnreachable(unreachable, in info, 0, new byte[2048]));
    }
}
