using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int Ipv4MinHeaderLength = 20;

    /// <summary>IPv4 header, options walk, fragment fields, then the transport layer.</summary>
    private static DropReason DecodeIpv4(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        var ip = frame.Slice(info.L3Offset);
        if (ip.Length == 0)
        {
            return DropReason.InvalidIpHeader;
        }
        if ((ip[0] >> 4) != 4)
        {
            return DropReason.UnsupportedIpVersion;
        }
        int headerLength = (ip[0] & 0x0F) * 4;
        if (headerLength < Ipv4MinHeaderLength || headerLength > ip.Length)
        {
            return DropReason.InvalidIpHeader;
        }
        info.IpVersion = 4;
        info.Tos = ip[1];
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(2));
        info.IpTotalLength = totalLength;
        info.IpId = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(4));
        ushort flagsOffset = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(6));
        info.Ttl = ip[8];
        info.Protocol = ip[9];
        info.SrcIp = IpAddr.FromV4(ip.Slice(12));
        info.DstIp = IpAddr.FromV4(ip.Slice(16));
        info.IpHeaderLength = headerLength;
        info.IpOptionsLength = headerLength - Ipv4MinHeaderLength;
        info.Ipv4ChecksumValid = InternetChecksum.Verify(ip.Slice(0, headerLength));
        info.DontFragment = (flagsOffset & 0x4000) != 0;
        info.MoreFragments = (flagsOffset & 0x2000) != 0;
        info.FragmentOffset = (flagsOffset & 0x1FFF) * 8;
        info.IsFragment = info.MoreFragments || info.FragmentOffset != 0;
        info.FragmentId = info.IpId;

        if (totalLength < headerLength || totalLength > ip.Length)
        {
            return DropReason.InvalidIpLength;
        }
        if (headerLength > Ipv4MinHeaderLength && !Ipv4OptionsWellFormed(ip.Slice(Ipv4MinHeaderLength, headerLength - Ipv4MinHeaderLength)))
        {
            return DropReason.InvalidIpOption;
        }

        int payloadOffset = info.L3Offset + headerLength;
        int payloadLength = totalLength - headerLength;
        if (info.FragmentOffset != 0)
        {
            // Only the first fragment carries the transport header.
            SetOpaquePayload(ref info, payloadOffset, payloadLength);
            return DropReason.None;
        }
        return DecodeTransport(frame, ref info, payloadOffset, payloadLength);
    }

    /// <summary>
    /// Walks type-length-value options: EOL ends the list, NOP is one byte, every other option
    /// carries a length of at least 2 that must stay inside the header.
    /// </summary>
    private static bool Ipv4OptionsWellFormed(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == 0)
            {
                return true;
            }
            if (type == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length)
            {
                return false;
            }
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                return false;
            }
            i += length;
        }
        return true;
    }
}
