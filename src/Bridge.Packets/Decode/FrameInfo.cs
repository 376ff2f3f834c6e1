namespace Bridge.Packets;

/// <summary>
/// What the decoder learned about one frame: offsets into the frame and the header fields the
/// stages need. A plain struct, reused per packet, so decoding allocates nothing. Offsets are
/// relative to the start of the frame; -1 means "layer not present".
/// </summary>
public struct FrameInfo
{
    // ---- L2 ----
    public MacAddr Dst;
    public MacAddr Src;
    /// <summary>Number of 802.1Q/802.1ad tags in front of the EtherType (0, 1 or 2).</summary>
    public byte VlanCount;
    /// <summary>TPID of the outer tag (0x8100 or 0x88a8); 0 when untagged.</summary>
    public ushort OuterTpid;
    /// <summary>VLAN id of the outer tag (0 when untagged).</summary>
    public ushort OuterVlan;
    /// <summary>Priority code point of the outer tag.</summary>
    public byte OuterPcp;
    /// <summary>VLAN id of the inner tag of a QinQ frame (0 when absent).</summary>
    public ushort InnerVlan;
    /// <summary>The EtherType after all tags (0x0800, 0x86dd, 0x0806, ...) or, for 802.3 frames, the length field.</summary>
    public ushort EtherType;
    /// <summary>True for an 802.3 length-framed frame (EtherType field &lt; 0x0600): IPX raw, LLC/SNAP, STP BPDUs.</summary>
    public bool IsLlc;
    /// <summary>Offset of the L3 header (after the EtherType or the LLC header start for 802.3 frames).</summary>
    public int L3Offset;

    // ---- ARP ----
    public ushort ArpOp;
    public IpAddr ArpSenderIp;
    public IpAddr ArpTargetIp;

    // ---- L3 (IPv4 / IPv6) ----
    /// <summary>4 or 6 when an IP header was decoded, 0 otherwise.</summary>
    public byte IpVersion;
    public IpAddr SrcIp;
    public IpAddr DstIp;
    /// <summary>Upper-layer protocol (IPv4 protocol or the last IPv6 next header).</summary>
    public byte Protocol;
    public byte Ttl;
    public byte Tos;
    public ushort IpId;
    /// <summary>IPv4 total length or IPv6 payload length + 40, as carried in the header.</summary>
    public int IpTotalLength;
    /// <summary>IPv4 header length in bytes, or IPv6 fixed header plus extension headers.</summary>
    public int IpHeaderLength;
    /// <summary>Bytes of IPv4 options (IpHeaderLength - 20); 0 for IPv6.</summary>
    public int IpOptionsLength;
    public bool DontFragment;
    public bool MoreFragments;
    /// <summary>Fragment offset in bytes.</summary>
    public int FragmentOffset;
    /// <summary>IPv6 fragment header present (or IPv4 MF/offset set).</summary>
    public bool IsFragment;
    /// <summary>IPv6 fragment identification or IPv4 id, for reassembly.</summary>
    public uint FragmentId;
    public bool Ipv4ChecksumValid;
    /// <summary>IPv6 extension headers seen, as bit flags of <see cref="Ipv6Ext"/>.</summary>
    public Ipv6Ext Ipv6Extensions;

    // ---- L4 ----
    /// <summary>Offset of the transport header; -1 when not present (non-first fragment, other protocol).</summary>
    public int L4Offset;
    /// <summary>Bytes from L4Offset to the end of the IP payload (IP length bounded, Ethernet padding excluded).</summary>
    public int L4Length;
    public ushort SrcPort;
    public ushort DstPort;
    public TcpFlags TcpFlags;
    public uint TcpSeq;
    public uint TcpAck;
    public ushort TcpWindow;
    public int TcpHeaderLength;
    /// <summary>MSS option value, 0 when absent.</summary>
    public ushort TcpMss;
    /// <summary>Window scale option shift, -1 when absent.</summary>
    public sbyte TcpWindowScale;
    public bool TcpSackPermitted;
    public bool TcpHasTimestamp;
    public uint TcpTsVal;
    public uint TcpTsEcr;
    public byte IcmpType;
    public byte IcmpCode;
    /// <summary>ICMP echo identifier / sequence (echo request and reply only).</summary>
    public ushort IcmpId;
    public ushort IcmpSeq;
    /// <summary>
    /// Offset and length of the transport payload (after the TCP/UDP/ICMP header). For other IP
    /// protocols and non-first fragments, the whole IP payload; for Ethernet/IPv4 ARP, the ARP
    /// message. -1 / 0 when the frame was dropped before a payload was found.
    /// </summary>
    public int PayloadOffset;
    public int PayloadLength;

    /// <summary>Bytes captured for this frame.</summary>
    public int FrameLength;

    public readonly bool IsIp => IpVersion != 0;
    public readonly bool IsIpv4 => IpVersion == 4;
    public readonly bool IsIpv6 => IpVersion == 6;
    public readonly bool IsTcp => L4Offset >= 0 && Protocol == IpProtocol.Tcp;
    public readonly bool IsUdp => L4Offset >= 0 && Protocol == IpProtocol.Udp;
    public readonly bool IsIcmp => L4Offset >= 0 && (Protocol == IpProtocol.Icmp || Protocol == IpProtocol.IcmpV6);
    public readonly bool IsArp => EtherType == EtherTypes.Arp && !IsLlc;

    /// <summary>Clears every field before a decode; cheaper than assigning a new struct field by field.</summary>
    public void Reset()
    {
        this = default;
        MarkLayersAbsent();
    }

    /// <summary>
    /// Sets the "not present" markers of a FrameInfo that is already all zeros (a fresh local):
    /// what <see cref="Reset"/> does after clearing, without clearing a second time.
    /// </summary>
    public void MarkLayersAbsent()
    {
        L3Offset = -1;
        L4Offset = -1;
        PayloadOffset = -1;
        TcpWindowScale = -1;
    }
}

[Flags]
public enum TcpFlags : ushort
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
    /// <summary>The nonce-sum / AE bit (bit 8 of the 9-bit flags field).</summary>
    Ns = 0x100,
}

[Flags]
public enum Ipv6Ext : byte
{
    None = 0,
    HopByHop = 1,
    Routing = 2,
    Fragment = 4,
    DestinationOptions = 8,
    Other = 16,
}

public static class EtherTypes
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
    public const ushort QinQ = 0x88a8;
    public const ushort Ipv6 = 0x86dd;
    public const ushort Ipx = 0x8137;
    public const ushort MplsUnicast = 0x8847;
    public const ushort MplsMulticast = 0x8848;
}

public static class IpProtocol
{
    public const byte HopByHop = 0;
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte Esp = 50;
    public const byte Ah = 51;
    public const byte IcmpV6 = 58;
    public const byte NoNext = 59;
    public const byte DestinationOptions = 60;
    public const byte Gre = 47;
    public const byte Sctp = 132;
}
