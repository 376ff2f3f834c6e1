using System.Buffers.Binary;

namespace Bridge.Packets;

public static partial class FrameDecoder
{
    private const int ArpFixedLength = 8;
    private const int ArpEthernetIpv4Length = 28;

    /// <summary>
    /// ARP. A frame too short for the ARP message its header announces is dropped as
    /// <see cref="DropReason.InvalidEthertype"/>: invalid-encap is kept for the Ethernet and tag
    /// framing itself, so the counters tell "tag layer broken" from "payload of this EtherType
    /// unusable". Non Ethernet/IPv4 ARP (other hardware or protocol types) is passed with its
    /// opcode only, as a transparent bridge forwards what it does not inspect.
    /// </summary>
    private static DropReason DecodeArp(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        var arp = frame.Slice(info.L3Offset);
        if (arp.Length < ArpFixedLength)
        {
            return DropReason.InvalidEthertype;
        }
        ushort hardwareType = BinaryPrimitives.ReadUInt16BigEndian(arp);
        ushort protocolType = BinaryPrimitives.ReadUInt16BigEndian(arp.Slice(2));
        int hardwareLength = arp[4];
        int protocolLength = arp[5];
        if (arp.Length < ArpFixedLength + 2 * (hardwareLength + protocolLength))
        {
            return DropReason.InvalidEthertype;
        }
        info.ArpOp = BinaryPrimitives.ReadUInt16BigEndian(arp.Slice(6));
        if (hardwareType == 1 && protocolType == EtherTypes.Ipv4 && hardwareLength == 6 && protocolLength == 4)
        {
            info.ArpSenderIp = IpAddr.FromV4(arp.Slice(14));
            info.ArpTargetIp = IpAddr.FromV4(arp.Slice(24));
            info.PayloadOffset = info.L3Offset;
            info.PayloadLength = ArpEthernetIpv4Length;
        }
        return DropReason.None;
    }
}
