using static Bridge.Packets.Tests.DecodeRunner;
using static Bridge.Packets.Tests.SampleFrames;

namespace Bridge.Packets.Tests;

public class Ipv4DecodeTests
{
    private const int Ip = 14;

    [Fact]
    public void Header_fields_are_filled()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4, ttl: 9, id: 0x4321, dontFragment: true, tos: 0xB8).Udp(53, 53, new byte[10]).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsIpv4);
        Assert.Equal(A4, info.SrcIp);
        Assert.Equal(B4, info.DstIp);
        Assert.Equal(9, info.Ttl);
        Assert.Equal(0xB8, info.Tos);
        Assert.Equal(0x4321, info.IpId);
        Assert.Equal(38, info.IpTotalLength);
        Assert.Equal(20, info.IpHeaderLength);
        Assert.Equal(0, info.IpOptionsLength);
        Assert.True(info.DontFragment);
        Assert.False(info.IsFragment);
        Assert.True(info.Ipv4ChecksumValid);
        Assert.Equal(IpProtocol.Udp, info.Protocol);
        Assert.Equal(frame.Length, info.FrameLength);
    }

    [Fact]
    public void Bad_checksum_is_recorded_not_dropped()
    {
        var frame = With(Get("tcp-data"), f => f[Ip + 10] ^= 0xFF);
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.False(info.Ipv4ChecksumValid);
    }

    [Fact]
    public void Wrong_version_is_unsupported()
    {
        Assert.Equal(DropReason.UnsupportedIpVersion, Reason(With(Get("tcp-data"), f => f[Ip] = 0x65)));
    }

    [Theory]
    [InlineData(0x44)]
    [InlineData(0x40)]
    public void Ihl_below_five_is_invalid_header(byte versionIhl)
    {
        Assert.Equal(DropReason.InvalidIpHeader, Reason(With(Get("tcp-data"), f => f[Ip] = versionIhl)));
    }

    [Fact]
    public void Header_beyond_frame_is_invalid_header()
    {
        Assert.Equal(DropReason.InvalidIpHeader, Reason(Get("tcp-data").AsSpan(0, Ip + 19)));
        Assert.Equal(DropReason.InvalidIpHeader, Reason(Get("tcp-data").AsSpan(0, Ip)));
        Assert.Equal(DropReason.InvalidIpHeader, Reason(With(Get("udp-padded"), f => f[Ip] = 0x4F)));
    }

    [Fact]
    public void Total_length_below_header_or_beyond_frame_is_invalid_length()
    {
        Assert.Equal(DropReason.InvalidIpLength, Reason(With(Get("tcp-data"), f => Put16(f, Ip + 2, 19))));
        Assert.Equal(DropReason.InvalidIpLength, Reason(With(Get("tcp-data"), f => Put16(f, Ip + 2, f.Length - Ip + 1))));
    }

    [Fact]
    public void Ethernet_padding_is_outside_the_ip_packet()
    {
        var (reason, info) = Run(Get("udp-padded"));
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(60, info.FrameLength);
        Assert.Equal(11, info.L4Length);
        Assert.Equal(3, info.PayloadLength);
        Assert.Equal(Ip + 28, info.PayloadOffset);
    }

    [Fact]
    public void Well_formed_options_are_walked()
    {
        // Router alert, NOP, timestamp-like option of length 6, then EOL padding.
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4, options: [148, 4, 0, 0, 1, 68, 6, 5, 0, 0, 0]).Udp(1, 2).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(32, info.IpHeaderLength);
        Assert.Equal(12, info.IpOptionsLength);
        Assert.True(info.IsUdp);
        Assert.Equal(Ip + 32, info.L4Offset);
    }

    [Theory]
    [InlineData(new byte[] { 148, 1, 0, 0 })]
    [InlineData(new byte[] { 148, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 1, 7 })]
    [InlineData(new byte[] { 1, 68, 8, 0 })]
    public void Malformed_option_list_is_invalid_option(byte[] options)
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4, options: options).Udp(1, 2).Build();
        Assert.Equal(DropReason.InvalidIpOption, Reason(frame));
    }

    [Fact]
    public void First_fragment_has_transport_header()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4, id: 99).Fragment(0, true).Udp(1000, 2000, new byte[100]).Build();
        // The first fragment's UDP length says more than this piece holds, which is legal.
        Put16(frame, Ip + 20 + 4, 1008);
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsFragment);
        Assert.True(info.MoreFragments);
        Assert.Equal(0, info.FragmentOffset);
        Assert.Equal(99u, info.FragmentId);
        Assert.True(info.IsUdp);
        Assert.Equal(1000, info.SrcPort);
    }

    [Fact]
    public void Later_fragment_has_no_transport_header()
    {
        var (reason, info) = Run(Get("ipv4-fragment"));
        Assert.Equal(DropReason.None, reason);
        Assert.True(info.IsFragment);
        Assert.True(info.MoreFragments);
        Assert.Equal(1480, info.FragmentOffset);
        Assert.Equal(77u, info.FragmentId);
        Assert.Equal(-1, info.L4Offset);
        Assert.False(info.IsUdp);
        Assert.Equal(0, info.SrcPort);
        Assert.Equal(Ip + 20, info.PayloadOffset);
        Assert.Equal(64, info.PayloadLength);
    }

    [Fact]
    public void Other_protocols_expose_the_ip_payload()
    {
        var frame = FrameBuilder.Ethernet(HostA, HostB).Ipv4(A4, B4).Payload(new byte[24]).IpProtocol(IpProtocol.Gre).Build();
        var (reason, info) = Run(frame);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(IpProtocol.Gre, info.Protocol);
        Assert.Equal(-1, info.L4Offset);
        Assert.Equal(24, info.PayloadLength);
    }
}
