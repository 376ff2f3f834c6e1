using Bridge.Packets;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Stages.Inspect;

/// <summary>
/// TCP state tracking of an existing connection: the three-way handshake, sequence and
/// acknowledgement sanity, FIN and RST teardown. Returns the asp-drop reason for a packet that
/// breaks the rules, or None; updates the flow only for packets it accepts.
/// </summary>
internal static class TcpTracker
{
    private static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    private static bool Ge(uint a, uint b) => (int)(a - b) >= 0;

    /// <summary>The first packet of a connection: only a bare SYN may open one.</summary>
    public static DropReason CheckFirst(in FrameInfo info)
    {
        var f = info.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst | TcpFlags.Fin);
        return f == TcpFlags.Syn ? DropReason.None : DropReason.TcpNotSyn;
    }

    /// <summary>Sets up both peers from the opening SYN.</summary>
    public static void Open(ref Flow flow, in FrameInfo info)
    {
        flow.Tcp = TcpState.SynSent;
        flow.Initiator.Isn = info.TcpSeq;
        flow.Initiator.NextSeq = info.TcpSeq + 1 + (uint)info.PayloadLength;
        flow.Initiator.SawSyn = true;
        flow.Initiator.WindowScale = info.TcpWindowScale;
        flow.Initiator.Window = info.TcpWindow;
    }

    public static DropReason Track(ref Flow flow, in FrameInfo info, bool fromResponder, out bool close)
    {
        close = false;
        ref TcpPeer s = ref fromResponder ? ref flow.Responder : ref flow.Initiator;
        ref TcpPeer r = ref fromResponder ? ref flow.Initiator : ref flow.Responder;
        var flags = info.TcpFlags;
        bool syn = (flags & TcpFlags.Syn) != 0;
        bool ack = (flags & TcpFlags.Ack) != 0;
        bool rst = (flags & TcpFlags.Rst) != 0;
        bool fin = (flags & TcpFlags.Fin) != 0;
        uint seq = info.TcpSeq;
        uint len = (uint)info.PayloadLength;
        uint segEnd = seq + len + (syn ? 1u : 0u) + (fin ? 1u : 0u);

        if (rst)
        {
            if (flow.Tcp == TcpState.SynSent)
            {
                // Only the responder can refuse a SYN, and its RST must acknowledge it.
                if (!fromResponder || !ack || info.TcpAck != flow.Initiator.Isn + 1) return DropReason.TcpRstfinOoo;
            }
            else if (s.SawSyn && !InWindow(seq, s.NextSeq, r.Window))
            {
                return DropReason.TcpRstfinOoo;
            }
            flow.Tcp = TcpState.Closed;
            close = true;
            return DropReason.None;
        }

        switch (flow.Tcp)
        {
            case TcpState.SynSent:
                if (!fromResponder)
                {
                    // A retransmitted SYN is fine; anything else before the SYN-ACK is not.
                    if (syn && !ack)
                    {
                        Open(ref flow, info);
                        return DropReason.None;
                    }
                    return DropReason.Tcp3whsFailed;
                }
                if (syn && ack)
                {
                    if (info.TcpAck != flow.Initiator.Isn + 1) return DropReason.TcpInvalidAck;
                    s.Isn = seq;
                    s.NextSeq = segEnd;
                    s.SawSyn = true;
                    s.WindowScale = info.TcpWindowScale;
                    // Window scaling is in force only when both SYNs carried the option.
                    if (s.WindowScale < 0 || r.WindowScale < 0) s.WindowScale = r.WindowScale = -1;
                    s.Window = Scaled(info.TcpWindow, s.WindowScale);
                    flow.Tcp = TcpState.SynReceived;
                    return DropReason.None;
                }
                return DropReason.Tcp3whsFailed;

            case TcpState.SynReceived:
                if (fromResponder)
                {
                    return syn && ack && seq == s.Isn ? DropReason.None : DropReason.Tcp3whsFailed;
                }
                if (syn) return ack ? DropReason.Tcp3whsFailed : DropReason.None;
                if (!ack) return DropReason.Tcp3whsFailed;
                if (info.TcpAck != flow.Responder.Isn + 1) return DropReason.TcpInvalidAck;
                flow.Tcp = TcpState.Established;
                return Data(ref flow, ref s, ref r, info, fromResponder, segEnd, fin, ack, out close);

            case TcpState.Established:
            case TcpState.HalfClosed:
            case TcpState.Closing:
                if (syn)
                {
                    // A SYN-ACK retransmitted because the final ACK was lost is harmless.
                    if (ack && fromResponder && seq == s.Isn) return DropReason.None;
                    return ack ? DropReason.TcpSynackOoo : DropReason.TcpSynOoo;
                }
                if (!InWindow(seq, s.NextSeq, r.Window)) return DropReason.TcpSeqPastWin;
                if (ack && Gt(info.TcpAck, r.NextSeq)) return DropReason.TcpInvalidAck;
                if (s.SawFin && len > 0 && Ge(seq, s.FinSeq)) return DropReason.TcpDataPastFin;
                return Data(ref flow, ref s, ref r, info, fromResponder, segEnd, fin, ack, out close);

            default:
                return DropReason.TcpNotSyn;
        }
    }

    private static DropReason Data(ref Flow flow, ref TcpPeer s, ref TcpPeer r, in FrameInfo info, bool fromResponder, uint segEnd, bool fin, bool ack, out bool close)
    {
        close = false;
        if (Gt(segEnd, s.NextSeq)) s.NextSeq = segEnd;
        s.Window = Scaled(info.TcpWindow, s.WindowScale);
        if (info.PayloadLength > 0) s.SentData = true;
        if (fin && !s.SawFin)
        {
            s.SawFin = true;
            s.FinSeq = info.TcpSeq + (uint)info.PayloadLength;
        }
        if (ack && r.SawFin && Ge(info.TcpAck, r.FinSeq + 1)) r.FinAcked = true;
        if (s.SawFin || r.SawFin) flow.Tcp = s.SawFin && r.SawFin ? TcpState.Closing : TcpState.HalfClosed;
        if (s.SawFin && r.SawFin && s.FinAcked && r.FinAcked)
        {
            flow.Tcp = TcpState.Closed;
            close = true;
        }
        return DropReason.None;
    }

    private static uint Scaled(ushort window, sbyte scale) => scale > 0 ? (uint)window << Math.Min((int)scale, 14) : window;

    /// <summary>
    /// Accepts retransmissions and segments up to one receive window (at least 64 KiB, since the
    /// window may have been scaled before we saw the SYN) beyond the highest sequence seen.
    /// </summary>
    private static bool InWindow(uint seq, uint nextSeq, uint window)
    {
        uint allowance = Math.Max(window, 65535u);
        return !Gt(seq, nextSeq + allowance) && Ge(seq + allowance * 2, nextSeq);
    }
}
