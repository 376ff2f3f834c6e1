using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int UdpHeaderLength = 8;

    /// <summary>UDP header; the length field must agree with the IP-bounded datagram length.</summary>
    private static DropReason DecodeUdp(ReadOnlySpan<byte> datagram, ref FrameInfo info)
    {
        if (datagram.Length < UdpHeaderLength)
        {
            return Truncated(info, DropReason.InvalidUdpLength);
        }
        info.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        info.DstPort = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2));
        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(4));
        // A first fragment carries the length of the whole datagram, longer than this piece.
        bool lengthAgrees = info.MoreFragments ? length >= datagram.Length : length == datagram.Length;
        if (length < UdpHeaderLength || !lengthAgrees)
        {
            return DropReason.InvalidUdpLength;
        }
        info.PayloadOffset = info.L4Offset + UdpHeaderLength;
        info.PayloadLength = datagram.Length - UdpHeaderLength;
        return DropReason.None;
    }
}
