using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class EthernetDecodeTests
{
    [Fact]
    public void Untagged_frame_fills_macs_and_ethertype()
    {
        var (reason, info) = Run(Get("tcp-data"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(HostA, info.Src);
        Assert.Equal(HostB, info.Dst);
        Assert.Equal(0, info.VlanCount);
        Assert.Equal(0, info.OuterTpid);
        Assert.Equal(EtherTypes.Ipv4, info.EtherType);
        Assert.Equal(14, info.L3Offset);
        Assert.False(info.IsLlc);
    }

    [Fact]
    public void Dot1q_tag_gives_vlan_and_pcp()
    {
        var (reason, info) = Run(Get("tcp-syn-vlan"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(1, info.VlanCount);
        Assert.Equal(EtherTypes.Vlan, info.OuterTpid);
        Assert.Equal(1577, info.OuterVlan);
        Assert.Equal(3, info.OuterPcp);
        Assert.Equal(0, info.InnerVlan);
        Assert.Equal(18, info.L3Offset);
        Assert.Equal(EtherTypes.Ipv4, info.EtherType);
    }

    [Theory]
    [InlineData(EtherTypes.QinQ)]
    [InlineData(EtherTypes.Vlan)]
    public void QinQ_gives_outer_and_inner_vlan(ushort outerTpid)
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Vlan(100, 5, outerTpid).Vlan(200).Ipv4(A4, B4).Udp(1, 2).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(2, info.VlanCount);
        Assert.Equal(outerTpid, info.OuterTpid);
        Assert.Equal(100, info.OuterVlan);
        Assert.Equal(5, info.OuterPcp);
        Assert.Equal(200, info.InnerVlan);
        Assert.Equal(22, info.L3Offset);
        Assert.True(info.IsUdp);
    }

    [Fact]
    public void Third_tag_is_invalid_encap()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Vlan(1, tpid: EtherTypes.QinQ).Vlan(2).Vlan(3).Ipv4(A4, B4).Udp(1, 2).Build();
        Assert.Equal(DropReason.InvalidEncap, Reason(frame));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    public void Frame_shorter_than_ethernet_header_is_invalid_encap(int length)
    {
        Assert.Equal(DropReason.InvalidEncap, Reason(Get("tcp-data").AsSpan(0, length)));
    }

    [Theory]
    [InlineData(14)]
    [InlineData(16)]
    [InlineData(17)]
    public void Truncated_tag_is_invalid_encap(int length)
    {
        Assert.Equal(DropReason.InvalidEncap, Reason(Get("tcp-syn-vlan").AsSpan(0, length)));
    }

    [Fact]
    public void Tag_with_only_its_type_field_decodes_as_empty_payload()
    {
        var (reason, info) = Run(Get("tcp-syn-vlan").AsSpan(0, 18));
        Assert.Equal(DropReason.InvalidIpHeader, reason);
        Assert.Equal(1577, info.OuterVlan);
    }

    [Fact]
    public void Length_field_marks_802_3_frame()
    {
        var (reason, info) = Run(Get("stp-llc"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsLlc);
        Assert.Equal(StpConfigBpdu.Length, info.EtherType);
        Assert.Equal(14, info.L3Offset);
        Assert.False(info.IsIp);
        Assert.False(info.IsArp);
    }

    [Fact]
    public void Unknown_ethertype_is_not_a_drop()
    {
        var (reason, info) = Run(Get("ipx-raw"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(EtherTypes.Ipx, info.EtherType);
        Assert.False(info.IsLlc);
        Assert.Equal(-1, info.L4Offset);
    }
}
