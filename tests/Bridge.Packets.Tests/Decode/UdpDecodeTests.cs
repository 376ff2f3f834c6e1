using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class UdpDecodeTests
{
    private const int L4 = 14 + 20;

    [Fact]
    public void Ports_and_payload()
    {
        var (reason, info) = Run(Get("udp-qinq"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsUdp);
        Assert.Equal(5353, info.SrcPort);
        Assert.Equal(53, info.DstPort);
        Assert.Equal(22 + 20, info.L4Offset);
        Assert.Equal(45, info.L4Length);
        Assert.Equal(22 + 28, info.PayloadOffset);
        Assert.Equal(37, info.PayloadLength);
    }

    [Fact]
    public void Datagram_shorter_than_header_is_invalid_length()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Payload(new byte[7]).IpProtocol(IpProtocol.Udp).Build();
        Assert.Equal(DropReason.InvalidUdpLength, Reason(frame));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(12)]
    public void Length_field_disagreeing_with_ip_is_invalid_length(int length)
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Udp(1, 2, new byte[3]).Build();
        Assert.Equal(DropReason.None, Reason(frame));
        Assert.Equal(DropReason.InvalidUdpLength, Reason(With(frame, f => Put16(f, L4 + 4, length))));
    }
}
