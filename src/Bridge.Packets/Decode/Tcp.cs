using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int TcpMinHeaderLength = 20;

    /// <summary>TCP header, flags and the options the inspection stages use.</summary>
    private static DropReason DecodeTcp(ReadOnlySpan<byte> segment, ref FrameInfo info)
    {
        if (segment.Length < TcpMinHeaderLength)
        {
            return Truncated(info, DropReason.InvalidTcpHdrLength);
        }
        info.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(segment);
        info.DstPort = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(2));
        info.TcpSeq = BinaryPrimitives.ReadUInt32BigEndian(segment.Slice(4));
        info.TcpAck = BinaryPrimitives.ReadUInt32BigEndian(segment.Slice(8));
        info.TcpFlags = (TcpFlags)(((segment[12] & 1) << 8) | segment[13]);
        info.TcpWindow = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(14));
        int headerLength = (segment[12] >> 4) * 4;
        info.TcpHeaderLength = headerLength;
        if (headerLength < TcpMinHeaderLength)
        {
            return DropReason.InvalidTcpHdrLength;
        }
        if (headerLength > segment.Length)
        {
            return Truncated(info, DropReason.InvalidTcpHdrLength);
        }
        if (headerLength > TcpMinHeaderLength)
        {
            var reason = DecodeTcpOptions(segment.Slice(TcpMinHeaderLength, headerLength - TcpMinHeaderLength), ref info);
            if (reason != DropReason.None)
            {
                return reason;
            }
        }
        info.PayloadOffset = info.L4Offset + headerLength;
        info.PayloadLength = segment.Length - headerLength;
        return DropReason.None;
    }

    /// <summary>
    /// Walks the option list. A length below 2 or past the header is a broken list; a known
    /// option with an unexpected length is ignored, as end hosts ignore it.
    /// </summary>
    private static DropReason DecodeTcpOptions(ReadOnlySpan<byte> options, ref FrameInfo info)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == 0)
            {
                break;
            }
            if (kind == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length)
            {
                return DropReason.TcpBadOptionList;
            }
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                return DropReason.TcpBadOptionList;
            }
            var value = options.Slice(i + 2, length - 2);
            switch (kind)
            {
                case 2 when value.Length == 2:
                    info.TcpMss = BinaryPrimitives.ReadUInt16BigEndian(value);
                    break;
                case 3 when value.Length == 1:
                    info.TcpWindowScale = (sbyte)Math.Min(value[0], (byte)127);
                    break;
                case 4 when value.Length == 0:
                    info.TcpSackPermitted = true;
                    break;
                case 8 when value.Length == 8:
                    info.TcpHasTimestamp = true;
                    info.TcpTsVal = BinaryPrimitives.ReadUInt32BigEndian(value);
                    info.TcpTsEcr = BinaryPrimitives.ReadUInt32BigEndian(value.Slice(4));
                    break;
            }
            i += length;
        }
        return DropReason.None;
    }
}
