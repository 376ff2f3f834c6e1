using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int EthernetHeaderLength = 14;
    private const int MaxTags = 2;

    /// <summary>
    /// Ethernet II / 802.3 header and up to two 802.1Q / 802.1ad tags. Any broken framing (short
    /// frame, cut tag, a third tag) is <see cref="DropReason.InvalidEncap"/>.
    /// </summary>
    private static DropReason DecodeEthernet(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        if (frame.Length < EthernetHeaderLength)
        {
            return DropReason.InvalidEncap;
        }
        info.Dst = MacAddr.Read(frame);
        info.Src = MacAddr.Read(frame.Slice(6));
        int typeOffset = 12;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(typeOffset));
        while (type == EtherTypes.Vlan || type == EtherTypes.QinQ)
        {
            // A tag is TPID(2, already read) + TCI(2), followed by the next type field (2).
            if (info.VlanCount == MaxTags || typeOffset + 6 > frame.Length)
            {
                return DropReason.InvalidEncap;
            }
            ushort tci = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(typeOffset + 2));
            if (info.VlanCount == 0)
            {
                info.OuterTpid = type;
                info.OuterVlan = (ushort)(tci & 0x0FFF);
                info.OuterPcp = (byte)(tci >> 13);
            }
            else
            {
                info.InnerVlan = (ushort)(tci & 0x0FFF);
            }
            info.VlanCount++;
            typeOffset += 4;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(typeOffset));
        }
        info.EtherType = type;
        info.L3Offset = typeOffset + 2;
        // Values below 0x0600 are an 802.3 length: LLC/SNAP, raw IPX, STP. Not an error.
        info.IsLlc = type < 0x0600;
        return DropReason.None;
    }
}
