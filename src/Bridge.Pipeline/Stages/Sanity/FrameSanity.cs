using Bridge.Packets;

namespace Bridge.Pipeline.Stages.Sanity;

/// <summary>
/// The early checks ASA makes on every frame after decoding and interface classification and
/// before the first traced phase (ftd-reference §1.3: "L2/L3 sanity checks, basic IP security
/// checks"): what the decoder accepts as well formed but no honest host sends. A frame dropped
/// here never reaches a capture or a trace phase, only the asp-drop counters and the trace result.
/// A handful of compares on decoded fields: no allocation, no lookup.
/// </summary>
public static class FrameSanity
{
    private const TcpFlags SynFin = TcpFlags.Syn | TcpFlags.Fin;
    private const TcpFlags SynRst = TcpFlags.Syn | TcpFlags.Rst;
    private const TcpFlags AckSynRst = TcpFlags.Ack | TcpFlags.Syn | TcpFlags.Rst;

    /// <summary>The asp-drop reason for <paramref name="info"/> on a nameif of MTU <paramref name="mtu"/>, or None.</summary>
    public static DropReason Check(in FrameInfo info, int mtu)
    {
        // The MTU bounds the L3 packet; tags and the Ethernet header do not count (as on the NIC).
        int l3Length = info.IsIp ? info.IpTotalLength : info.FrameLength - info.L3Offset;
        if (l3Length > mtu)
        {
            return DropReason.OverMtu;
        }
        if (info.IsIp && info.Ttl == 0)
        {
            // A transparent bridge does not decrement, so only a packet that arrives already expired is dropped.
            return DropReason.TtlExceeded;
        }
        if (info.IsTcp && IsBadFlagCombination(info.TcpFlags))
        {
            return DropReason.BadTcpFlags;
        }
        return DropReason.None;
    }

    /// <summary>
    /// SYN with FIN or RST (contradictory), and any segment with none of ACK, SYN, RST: after the
    /// handshake every segment carries ACK, before it only SYN or RST may go without one. That
    /// last rule covers the null scan, the FIN scan and the xmas scan (FIN+PSH+URG).
    /// </summary>
    public static bool IsBadFlagCombination(TcpFlags flags) =>
        (flags & SynFin) == SynFin
        || (flags & SynRst) == SynRst
        || (flags & AckSynRst) == 0;

}
