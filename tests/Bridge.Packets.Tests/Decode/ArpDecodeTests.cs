using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class ArpDecodeTests
{
    [Fact]
    public void Request_gives_op_and_addresses()
    {
        var (reason, info) = Run(Get("arp-request"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsArp);
        Assert.Equal(1, info.ArpOp);
        Assert.Equal(A4, info.ArpSenderIp);
        Assert.Equal(B4, info.ArpTargetIp);
        Assert.False(info.IsIp);
    }

    [Fact]
    public void Reply_on_vlan()
    {
        var frame = FrameBuilder.Ethernet(HostB, HostA).Vlan(1577).Arp(2, HostB, B4, HostA, A4).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(2, info.ArpOp);
        Assert.Equal(B4, info.ArpSenderIp);
        Assert.Equal(1577, info.OuterVlan);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(21)]
    [InlineData(41)]
    public void Truncated_arp_is_invalid_ethertype(int length)
    {
        var frame = FrameBuilder.Ethernet(HostA, MacAddr.Broadcast).Arp(1, HostA, A4, default, B4).Build();
        Assert.Equal(DropReason.InvalidEthertype, Reason(frame.AsSpan(0, length)));
    }

    [Fact]
    public void Other_address_sizes_pass_with_opcode_only()
    {
        var frame = With(Get("arp-request"), f => f[14 + 5] = 2);
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(1, info.ArpOp);
        Assert.Equal(IpAddr.Zero, info.ArpSenderIp);
    }
}
