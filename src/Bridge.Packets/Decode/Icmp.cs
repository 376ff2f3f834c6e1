using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int IcmpHeaderLength = 8;

    /// <summary>ICMP and ICMPv6: type, code, and the echo identifier / sequence.</summary>
    private static DropReason DecodeIcmp(ReadOnlySpan<byte> message, ref FrameInfo info)
    {
        if (message.Length < IcmpHeaderLength)
        {
            return Truncated(info, DropReason.InvalidIpLength);
        }
        info.IcmpType = message[0];
        info.IcmpCode = message[1];
        bool isEcho = info.Protocol == IpProtocol.Icmp
            ? info.IcmpType is 0 or 8
            : info.IcmpType is 128 or 129;
        if (isEcho)
        {
            info.IcmpId = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(4));
            info.IcmpSeq = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(6));
        }
        info.PayloadOffset = info.L4Offset + IcmpHeaderLength;
        info.PayloadLength = message.Length - IcmpHeaderLength;
        return DropReason.None;
    }
}
