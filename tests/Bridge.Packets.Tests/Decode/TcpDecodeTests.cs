using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class TcpDecodeTests
{
    private const int L4 = 14 + 20;

    [Fact]
    public void Syn_with_linux_options()
    {
        var (reason, info) = Run(Get("tcp-syn-vlan"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsTcp);
        Assert.Equal(40000, info.SrcPort);
        Assert.Equal(443, info.DstPort);
        Assert.Equal(TcpFlags.Syn, info.TcpFlags);
        Assert.Equal(1000u, info.TcpSeq);
        Assert.Equal(65535, info.TcpWindow);
        Assert.Equal(40, info.TcpHeaderLength);
        Assert.Equal(1460, info.TcpMss);
        Assert.Equal(7, info.TcpWindowScale);
        Assert.True(info.TcpSackPermitted);
        Assert.True(info.TcpHasTimestamp);
        Assert.Equal(1000u, info.TcpTsVal);
        Assert.Equal(0u, info.TcpTsEcr);
        Assert.Equal(0, info.PayloadLength);
    }

    [Fact]
    public void Data_segment_gives_payload()
    {
        var (reason, info) = Run(Get("tcp-data"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(TcpFlags.Ack | TcpFlags.Psh, info.TcpFlags);
        Assert.Equal(5000u, info.TcpAck);
        Assert.Equal(L4 + 20, info.PayloadOffset);
        Assert.Equal(18, info.PayloadLength);
        Assert.Equal(-1, info.TcpWindowScale);
        Assert.Equal(0, info.TcpMss);
        Assert.False(info.TcpHasTimestamp);
    }

    [Fact]
    public void All_nine_flags_are_read()
    {
        var all = (TcpFlags)0x1FF;
        var (_, info) = Run(FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Tcp(1, 2, all).Build());
        Assert.Equal(all, info.TcpFlags);
    }

    [Fact]
    public void Segment_shorter_than_header_is_invalid_length()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Payload(new byte[19]).IpProtocol(IpProtocol.Tcp).Build();
        Assert.Equal(DropReason.InvalidTcpHdrLength, Reason(frame));
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x00)]
    [InlineData(0x60)]
    public void Bad_data_offset_is_invalid_length(byte offsetByte)
    {
        // 0x60 = 24 bytes, past the 20-byte segment of a bare SYN.
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Tcp(1, 2, TcpFlags.Syn).Build();
        Assert.Equal(DropReason.InvalidTcpHdrLength, Reason(With(frame, f => f[L4 + 12] = offsetByte)));
    }

    [Theory]
    [InlineData(new byte[] { 2, 8, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 1, 2, 1, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 1, 19 })]
    [InlineData(new byte[] { 3, 0, 0, 0 })]
    public void Broken_option_list_is_bad_option_list(byte[] options)
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Tcp(1, 2, TcpFlags.Syn, options: options).Build();
        Assert.Equal(DropReason.TcpBadOptionList, Reason(frame));
    }

    [Fact]
    public void Options_after_eol_are_ignored()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Tcp(1, 2, TcpFlags.Syn, options: [0, 99, 0, 0]).Build();
        Assert.Equal(DropReason.None, Reason(frame));
    }

    [Fact]
    public void Tcp_over_ipv6()
    {
        var (reason, info) = Run(Get("tcp6"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, info.TcpFlags);
        Assert.Equal(22, info.DstPort);
    }
}
