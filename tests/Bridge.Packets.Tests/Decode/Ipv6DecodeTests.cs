using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class Ipv6DecodeTests
{
    private const int Ip = 14;

    [Fact]
    public void Fixed_header_fields_are_filled()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6, hopLimit: 3).Udp(546, 547, new byte[11]).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsIpv6);
        Assert.Equal(A6, info.SrcIp);
        Assert.Equal(B6, info.DstIp);
        Assert.Equal(3, info.Ttl);
        Assert.Equal(40 + 19, info.IpTotalLength);
        Assert.Equal(40, info.IpHeaderLength);
        Assert.Equal(IpProtocol.Udp, info.Protocol);
        Assert.Equal(Ipv6Ext.None, info.Ipv6Extensions);
        Assert.True(info.IsUdp);
        Assert.Equal(Ip + 40, info.L4Offset);
    }

    [Fact]
    public void Wrong_version_is_unsupported()
    {
        Assert.Equal(DropReason.UnsupportedIpVersion, Reason(With(Get("tcp6"), f => f[Ip] = 0x45)));
    }

    [Fact]
    public void Truncated_fixed_header_is_invalid_header()
    {
        Assert.Equal(DropReason.InvalidIpHeader, Reason(Get("tcp6").AsSpan(0, Ip + 39)));
        Assert.Equal(DropReason.InvalidIpHeader, Reason(Get("tcp6").AsSpan(0, Ip)));
    }

    [Fact]
    public void Payload_length_beyond_frame_is_invalid_length()
    {
        Assert.Equal(DropReason.InvalidIpLength, Reason(With(Get("tcp6"), f => Put16(f, Ip + 4, 21))));
    }

    [Fact]
    public void Extension_chain_is_walked()
    {
        var (reason, info) = Run(Get("ipv6-ext"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(Ipv6Ext.HopByHop | Ipv6Ext.DestinationOptions, info.Ipv6Extensions);
        Assert.Equal(IpProtocol.Udp, info.Protocol);
        Assert.Equal(40 + 8 + 8, info.IpHeaderLength);
        Assert.Equal(0, info.IpOptionsLength);
        Assert.Equal(1234, info.SrcPort);
        Assert.Equal(5, info.PayloadLength);
    }

    [Fact]
    public void Routing_header_is_walked()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Ipv6Extension(IpProtocol.Routing, new byte[6 + 16]).Tcp(1, 2, TcpFlags.Syn).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(Ipv6Ext.Routing, info.Ipv6Extensions);
        Assert.Equal(40 + 24, info.IpHeaderLength);
        Assert.True(info.IsTcp);
    }

    [Fact]
    public void Hop_by_hop_not_first_is_invalid_header()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6)
            .Ipv6Extension(IpProtocol.DestinationOptions, []).Ipv6Extension(IpProtocol.HopByHop, []).Udp(1, 2).Build();
        Assert.Equal(DropReason.InvalidIpHeader, Reason(frame));
    }

    [Fact]
    public void Extension_longer_than_payload_is_invalid_header()
    {
        // Claims 3 more 8-octet units than the datagram holds.
        Assert.Equal(DropReason.InvalidIpHeader, Reason(With(Get("ipv6-ext"), f => f[Ip + 40 + 1] = 4)));
    }

    [Fact]
    public void Extension_cut_by_payload_length_is_invalid_header()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Ipv6Extension(IpProtocol.HopByHop, [1, 4, 0, 0, 0, 0]).Build();
        Assert.Equal(DropReason.None, Reason(frame));
        Assert.Equal(DropReason.InvalidIpHeader, Reason(With(frame, f => Put16(f, Ip + 4, 1))));
        var fragment = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Fragment(0, true).Build();
        Assert.Equal(DropReason.InvalidIpHeader, Reason(With(fragment, f => Put16(f, Ip + 4, 7))));
    }

    [Fact]
    public void First_fragment_keeps_walking_to_the_transport()
    {
        var (reason, info) = Run(Get("ipv6-fragment"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsFragment);
        Assert.True(info.MoreFragments);
        Assert.Equal(0, info.FragmentOffset);
        Assert.Equal(0xCAFEu, info.FragmentId);
        Assert.Equal(Ipv6Ext.Fragment, info.Ipv6Extensions);
        Assert.True(info.IsUdp);
        Assert.Equal(48, info.IpHeaderLength);
    }

    [Fact]
    public void Later_fragment_has_no_transport_header()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Fragment(1232, false, 7).Payload(new byte[40]).IpProtocol(IpProtocol.Tcp).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsFragment);
        Assert.False(info.MoreFragments);
        Assert.Equal(1232, info.FragmentOffset);
        Assert.Equal(7u, info.FragmentId);
        Assert.Equal(IpProtocol.Tcp, info.Protocol);
        Assert.Equal(-1, info.L4Offset);
        Assert.False(info.IsTcp);
        Assert.Equal(40, info.PayloadLength);
    }

    [Fact]
    public void No_next_header_ends_the_chain()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv6(A6, B6).Ipv6Extension(IpProtocol.DestinationOptions, []).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(IpProtocol.NoNext, info.Protocol);
        Assert.Equal(-1, info.L4Offset);
        Assert.Equal(0, info.PayloadLength);
    }
}
