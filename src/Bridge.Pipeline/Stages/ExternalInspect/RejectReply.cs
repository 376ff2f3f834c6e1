using System.Buffers.Binary;
using Bridge.Packets;

namespace Bridge.Pipeline.Stages.ExternalInspect;

/// <summary>
/// The answers a Snort <c>reject</c> rule sends after dropping the packet: a TCP reset to each end
/// of a TCP connection, an ICMP (v6) destination-unreachable back to the sender otherwise. The
/// bridge has no address of its own, so each reply is written as if the other end had sent it
/// (its MAC and IP as source), which is what an inline IPS does. Frames are written into a
/// caller's buffer: nothing is allocated.
/// </summary>
public static class RejectReply
{
    private const byte DefaultTtl = 64;
    private const int Ipv4Header = 20;
    private const int Ipv6Header = 40;
    private const int TcpHeader = 20;

    /// <summary>Most of the offending datagram an ICMPv6 error quotes (RFC 4443: the reply must fit the 1280-byte minimum MTU).</summary>
    private const int Icmp6QuoteLimit = 1280 - Ipv6Header - 8;

    /// <summary>
    /// A TCP reset for the connection of <paramref name="frame"/>: toward its sender when
    /// <paramref name="towardSender"/>, else toward its destination. Returns the frame length, 0
    /// when the packet is not TCP over IP or <paramref name="dest"/> is too small.
    /// </summary>
    public static int TcpReset(ReadOnlySpan<byte> frame, in FrameInfo info, bool towardSender, ushort vlan, Span<byte> dest)
    {
        if (!info.IsTcp || info.L4Offset < 0 || info.IpVersion == 0) return 0;
        int ipLen = (info.IpVersion == 4 ? Ipv4Header : Ipv6Header) + TcpHeader;
        int l2 = L2Length(vlan);
        if (dest.Length < l2 + ipLen) return 0;

        // Sequence numbers as a TCP stack answers a segment it refuses (RFC 793 "Reset Generation"):
        // the sender gets seq = its ACK, or an ACK of everything it sent; the receiver gets the
        // dropped segment's own sequence number, so it lands in its window.
        uint seq, ack = 0;
        var flags = TcpFlags.Rst;
        int payload = Math.Max(0, info.L4Length - info.TcpHeaderLength);
        bool hasAck = (info.TcpFlags & TcpFlags.Ack) != 0;
        if (towardSender)
        {
            if (hasAck)
            {
                seq = info.TcpAck;
            }
            else
            {
                seq = 0;
                ack = info.TcpSeq + (uint)payload
                    + ((info.TcpFlags & TcpFlags.Syn) != 0 ? 1u : 0u) + ((info.TcpFlags & TcpFlags.Fin) != 0 ? 1u : 0u);
                flags |= TcpFlags.Ack;
            }
        }
        else
        {
            seq = info.TcpSeq;
            if (hasAck)
            {
                ack = info.TcpAck;
                flags |= TcpFlags.Ack;
            }
        }

        var src = towardSender ? info.DstIp : info.SrcIp;
        var dst = towardSender ? info.SrcIp : info.DstIp;
        int at = WriteL2(dest, towardSender ? info.Src : info.Dst, towardSender ? info.Dst : info.Src, vlan, info.IpVersion);
        int l4 = at + WriteIp(dest[at..], info.IpVersion, src, dst, 6, TcpHeader);
        var tcp = dest.Slice(l4, TcpHeader);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, towardSender ? info.DstPort : info.SrcPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], towardSender ? info.SrcPort : info.DstPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = TcpHeader / 4 << 4;
        tcp[13] = (byte)flags;
        tcp[14] = tcp[15] = tcp[16] = tcp[17] = tcp[18] = tcp[19] = 0;
        ushort sum = info.IpVersion == 4 ? InternetChecksum.ComputeV4(src, dst, 6, tcp) : InternetChecksum.ComputeV6(src, dst, 6, tcp);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], sum);
        return l4 + TcpHeader;
    }

    /// <summary>
    /// An ICMP destination-unreachable back to the sender of <paramref name="frame"/>: port
    /// unreachable for UDP, administratively prohibited otherwise. Returns the frame length, 0 when
    /// none may be sent: TCP (it gets resets), ICMP errors (never answered with an error), or a
    /// buffer too small.
    /// </summary>
    public static int IcmpUnreachable(ReadOnlySpan<byte> frame, in FrameInfo info, ushort vlan, Span<byte> dest)
    {
        if (info.IpVersion == 0 || info.IsTcp || IsIcmpError(frame, in info)) return 0;
        int datagram = Math.Min(info.IpTotalLength, frame.Length - info.L3Offset);
        if (datagram <= 0) return 0;
        bool v4 = info.IpVersion == 4;
        // ICMPv4 quotes the IP header and 8 bytes of its payload (RFC 792); ICMPv6 as much as fits.
        int quote = v4 ? Math.Min(datagram, info.IpHeaderLength + 8) : Math.Min(datagram, Icmp6QuoteLimit);
        int l2 = L2Length(vlan);
        int icmpLen = 8 + quote;
        if (dest.Length < l2 + (v4 ? Ipv4Header : Ipv6Header) + icmpLen) return 0;

        int at = WriteL2(dest, info.Src, info.Dst, vlan, info.IpVersion);
        int l4 = at + WriteIp(dest[at..], info.IpVersion, info.DstIp, info.SrcIp, v4 ? (byte)1 : (byte)58, icmpLen);
        var icmp = dest.Slice(l4, icmpLen);
        bool udp = info.Protocol == 17;
        icmp[0] = v4 ? (byte)3 : (byte)1;
        // v4: 3 port unreachable, 13 communication administratively prohibited; v6: 4 and 1.
        icmp[1] = v4 ? (udp ? (byte)3 : (byte)13) : (udp ? (byte)4 : (byte)1);
        icmp[2] = icmp[3] = icmp[4] = icmp[5] = icmp[6] = icmp[7] = 0;
        frame.Slice(info.L3Offset, quote).CopyTo(icmp[8..]);
        ushort sum = v4 ? InternetChecksum.Compute(icmp) : InternetChecksum.ComputeV6(info.DstIp, info.SrcIp, 58, icmp);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], sum);
        return l4 + icmpLen;
    }

    private static bool IsIcmpError(ReadOnlySpan<byte> frame, in FrameInfo info)
    {
        if (info.L4Offset < 0 || info.L4Offset >= frame.Length) return info.Protocol is 1 or 58;
        byte type = frame[info.L4Offset];
        return info.Protocol switch
        {
            1 => type is 3 or 4 or 5 or 11 or 12,
            58 => type < 128,
            _ => false,
        };
    }

    private static int L2Length(ushort vlan) => vlan != 0 ? 18 : 14;

    private static int WriteL2(Span<byte> dest, MacAddr dst, MacAddr src, ushort vlan, byte ipVersion)
    {
        dst.Write(dest);
        src.Write(dest[6..]);
        int at = 12;
        if (vlan != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(dest[12..], 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(dest[14..], vlan);
            at = 16;
        }
        BinaryPrimitives.WriteUInt16BigEndian(dest[at..], ipVersion == 4 ? (ushort)0x0800 : (ushort)0x86dd);
        return at + 2;
    }

    /// <summary>Writes an IP header for <paramref name="payload"/> bytes of <paramref name="protocol"/>; returns its length.</summary>
    private static int WriteIp(Span<byte> dest, byte version, IpAddr src, IpAddr dst, byte protocol, int payload)
    {
        if (version == 4)
        {
            var ip = dest[..Ipv4Header];
            ip.Clear();
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(Ipv4Header + payload));
            ip[8] = DefaultTtl;
            ip[9] = protocol;
            src.WriteV4(ip[12..]);
            dst.WriteV4(ip[16..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
            return Ipv4Header;
        }
        var v6 = dest[..Ipv6Header];
        v6.Clear();
        v6[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(v6[4..], (ushort)payload);
        v6[6] = protocol;
        v6[7] = DefaultTtl;
        src.WriteV6(v6[8..]);
        dst.WriteV6(v6[24..]);
        return Ipv6Header;
    }
}
