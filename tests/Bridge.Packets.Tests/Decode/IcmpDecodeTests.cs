using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class IcmpDecodeTests
{
    [Fact]
    public void Echo_request_gives_id_and_sequence()
    {
        var (reason, info) = Run(Get("icmp-echo"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsIcmp);
        Assert.Equal(8, info.IcmpType);
        Assert.Equal(0, info.IcmpCode);
        Assert.Equal(1, info.IcmpId);
        Assert.Equal(7, info.IcmpSeq);
        Assert.Equal(56, info.PayloadLength);
        Assert.Equal(0, info.SrcPort);
    }

    [Fact]
    public void Error_message_has_no_echo_fields()
    {
        var (reason, info) = Run(Get("icmp-unreachable"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(3, info.IcmpType);
        Assert.Equal(3, info.IcmpCode);
        Assert.Equal(0, info.IcmpId);
        Assert.Equal(28, info.PayloadLength);
    }

    [Fact]
    public void Icmpv6_echo_reply()
    {
        var (reason, info) = Run(Get("icmp6-echo"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(IpProtocol.IcmpV6, info.Protocol);
        Assert.Equal(129, info.IcmpType);
        Assert.Equal(9, info.IcmpId);
        Assert.Equal(10, info.IcmpSeq);
    }

    [Fact]
    public void Icmpv6_type_8_is_not_an_echo()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Icmp(8, 0, [0, 5, 0, 6]).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(0, info.IcmpId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Header_shorter_than_eight_bytes_is_invalid_ip_length(bool v6)
    {
        var builder = FrameBuilder.Ethernet(HostA, HostB);
        builder = v6 ? builder.Ipv6(A6, B6) : builder.Ipv4(A4, B4);
        var frame = builder.Icmp(8, 0, [0, 1]).Build();
        Assert.Equal(DropReason.InvalidIpLength, Reason(frame));
    }
}
