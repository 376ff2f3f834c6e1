namespace Bridge.Packets;

/// <summary>
/// Decodes a wire frame (VLAN tags included) into <see cref="FrameInfo"/> without allocating.
/// Returns <see cref="DropReason.None"/> on success, otherwise the asp-drop reason for the
/// first malformation found; fields decoded before the malformation stay filled in.
/// Every read is bounds-checked against the span first, so no input can make it throw; the
/// per-protocol parts live in the other files of this partial class.
/// </summary>
public static partial class FrameDecoder
{
    /// <summary>Decodes <paramref name="frame"/>; the caller has called <see cref="FrameInfo.Reset"/>.</summary>
    public static DropReason Decode(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        info.FrameLength = frame.Length;
        var reason = DecodeEthernet(frame, ref info);
        if (reason != DropReason.None || info.IsLlc)
        {
            return reason;
        }
        return info.EtherType switch
        {
            EtherTypes.Ipv4 => DecodeIpv4(frame, ref info),
            EtherTypes.Ipv6 => DecodeIpv6(frame, ref info),
            EtherTypes.Arp => DecodeArp(frame, ref info),
            // Other EtherTypes are not malformed, just not ours to parse: the EtherType ACL decides.
            _ => DropReason.None,
        };
    }

    /// <summary>
    /// Dispatches the IP payload at <paramref name="offset"/> (length bounded by the IP header,
    /// so Ethernet padding never reaches a transport decoder).
    /// </summary>
    private static DropReason DecodeTransport(ReadOnlySpan<byte> frame, ref FrameInfo info, int offset, int length)
    {
        switch (info.Protocol)
        {
            case IpProtocol.Tcp:
                info.L4Offset = offset;
                info.L4Length = length;
                return DecodeTcp(frame.Slice(offset, length), ref info);
            case IpProtocol.Udp:
                info.L4Offset = offset;
                info.L4Length = length;
                return DecodeUdp(frame.Slice(offset, length), ref info);
            case IpProtocol.Icmp:
            case IpProtocol.IcmpV6:
                info.L4Offset = offset;
                info.L4Length = length;
                return DecodeIcmp(frame.Slice(offset, length), ref info);
            default:
                SetOpaquePayload(ref info, offset, length);
                return DropReason.None;
        }
    }

    /// <summary>
    /// The reason for a transport header cut short. In a first fragment the rest of the header
    /// is in a later fragment (a tiny-fragment attack, RFC 1858): without reassembly there is no
    /// header to filter on, so it is a reassembly failure rather than a length lie.
    /// </summary>
    private static DropReason Truncated(in FrameInfo info, DropReason reason) =>
        info.MoreFragments ? DropReason.FragmentReassemblyFailed : reason;

    /// <summary>
    /// For protocols without a transport decoder (GRE, ESP, ...) and for non-first fragments
    /// there is no L4 header, but content inspection still wants the bytes: the payload is the
    /// whole IP payload.
    /// </summary>
    private static void SetOpaquePayload(ref FrameInfo info, int offset, int length)
    {
        info.PayloadOffset = offset;
        info.PayloadLength = length;
    }
}
