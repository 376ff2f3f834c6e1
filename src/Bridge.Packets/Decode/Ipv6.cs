using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int Ipv6HeaderLength = 40;
    private const int Ipv6FragmentHeaderLength = 8;
    private const byte MobilityHeader = 135;
    private const byte HipHeader = 139;
    private const byte Shim6Header = 140;

    /// <summary>IPv6 fixed header, extension header chain, fragment header, then the transport layer.</summary>
    private static DropReason DecodeIpv6(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        var ip = frame.Slice(info.L3Offset);
        if (ip.Length == 0)
        {
            return DropReason.InvalidIpHeader;
        }
        if ((ip[0] >> 4) != 6)
        {
            return DropReason.UnsupportedIpVersion;
        }
        if (ip.Length < Ipv6HeaderLength)
        {
            return DropReason.InvalidIpHeader;
        }
        info.IpVersion = 6;
        info.Tos = (byte)(BinaryPrimitives.ReadUInt16BigEndian(ip) >> 4);
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(4));
        info.IpTotalLength = payloadLength + Ipv6HeaderLength;
        byte next = ip[6];
        info.Ttl = ip[7];
        info.SrcIp = IpAddr.FromV6(ip.Slice(8));
        info.DstIp = IpAddr.FromV6(ip.Slice(24));
        info.IpHeaderLength = Ipv6HeaderLength;
        if (info.IpTotalLength > ip.Length)
        {
            return DropReason.InvalidIpLength;
        }

        int end = info.IpTotalLength;
        int offset = Ipv6HeaderLength;
        while (true)
        {
            Ipv6Ext flag;
            switch (next)
            {
                case IpProtocol.HopByHop:
                    // RFC 8200 §4.1: hop-by-hop may only follow the fixed header.
                    if (offset != Ipv6HeaderLength)
                    {
                        return DropReason.InvalidIpHeader;
                    }
                    flag = Ipv6Ext.HopByHop;
                    break;
                case IpProtocol.Routing:
                    flag = Ipv6Ext.Routing;
                    break;
                case IpProtocol.DestinationOptions:
                    flag = Ipv6Ext.DestinationOptions;
                    break;
                case MobilityHeader:
                case HipHeader:
                case Shim6Header:
                    flag = Ipv6Ext.Other;
                    break;
                case IpProtocol.Fragment:
                {
                    if (offset + Ipv6FragmentHeaderLength > end)
                    {
                        return DropReason.InvalidIpHeader;
                    }
                    var fragment = ip.Slice(offset);
                    ushort offsetFlags = BinaryPrimitives.ReadUInt16BigEndian(fragment.Slice(2));
                    info.Ipv6Extensions |= Ipv6Ext.Fragment;
                    info.IsFragment = true;
                    info.FragmentOffset = offsetFlags & 0xFFF8;
                    info.MoreFragments = (offsetFlags & 1) != 0;
                    info.FragmentId = BinaryPrimitives.ReadUInt32BigEndian(fragment.Slice(4));
                    next = fragment[0];
                    offset += Ipv6FragmentHeaderLength;
                    if (info.FragmentOffset != 0)
                    {
                        // Headers after the fragment header of a non-first fragment are fragment data.
                        info.Protocol = next;
                        info.IpHeaderLength = offset;
                        SetOpaquePayload(ref info, info.L3Offset + offset, end - offset);
                        return DropReason.None;
                    }
                    continue;
                }
                default:
                    info.Protocol = next;
                    info.IpHeaderLength = offset;
                    return DecodeTransport(frame, ref info, info.L3Offset + offset, end - offset);
            }

            // Generic extension header: next header (1), length in 8-octet units beyond the first 8 (1), body.
            if (offset + 2 > end)
            {
                return DropReason.InvalidIpHeader;
            }
            int length = (ip[offset + 1] + 1) * 8;
            if (offset + length > end)
            {
                return DropReason.InvalidIpHeader;
            }
            info.Ipv6Extensions |= flag;
            next = ip[offset];
            offset += length;
        }
    }
}
