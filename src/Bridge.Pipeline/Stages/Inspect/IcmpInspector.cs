using System.Buffers.Binary;
using Bridge.Packets;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Stages.Inspect;

/// <summary>
/// <c>inspect icmp</c> and <c>inspect icmp error</c>: echo replies must answer an outstanding
/// request (same identifier and sequence number); error messages must quote a packet of an
/// existing connection.
/// </summary>
internal static class IcmpInspector
{
    public static void AddPending(ref Flow flow, ushort seq)
    {
        int free = -1;
        for (int i = 0; i < 8; i++)
        {
            bool used = (flow.EchoPending & (1 << i)) != 0;
            if (used && flow.Echo[i] == seq) return;
            if (!used && free < 0) free = i;
        }
        // With eight requests unanswered, the oldest slot is reused: a host pinging a silent peer keeps its connection.
        if (free < 0) free = seq & 7;
        flow.Echo[free] = seq;
        flow.EchoPending |= (byte)(1 << free);
    }

    /// <summary>Matches a reply to a pending request and forgets the request; false when none is pending.</summary>
    public static bool TakePending(ref Flow flow, ushort seq)
    {
        for (int i = 0; i < 8; i++)
        {
            if ((flow.EchoPending & (1 << i)) != 0 && flow.Echo[i] == seq)
            {
                flow.EchoPending &= (byte)~(1 << i);
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Builds the connection key of the packet quoted in an ICMP error (the original IP header and
    /// at least 8 bytes of its transport header). False when the quote is too short to tell.
    /// </summary>
    public static bool TryQuotedKey(ReadOnlySpan<byte> frame, in FrameInfo info, byte zone, out FlowKey key)
    {
        key = default;
        if (info.PayloadOffset < 0) return false;
        var q = frame.Slice(info.PayloadOffset, Math.Min(info.PayloadLength, frame.Length - info.PayloadOffset));
        if (q.Length < 1) return false;
        int version = q[0] >> 4;
        IpAddr src, dst;
        byte proto;
        int l4;
        if (version == 4)
        {
            int ihl = (q[0] & 0x0F) * 4;
            if (ihl < 20 || q.Length < ihl + 8) return false;
            proto = q[9];
            src = IpAddr.FromV4(q.Slice(12, 4));
            dst = IpAddr.FromV4(q.Slice(16, 4));
            l4 = ihl;
        }
        else if (version == 6)
        {
            if (q.Length < 48) return false;
            proto = q[6];
            src = IpAddr.FromV6(q.Slice(8, 16));
            dst = IpAddr.FromV6(q.Slice(24, 16));
            l4 = 40;
        }
        else
        {
            return false;
        }

        ushort sp = 0, dp = 0;
        var t = q.Slice(l4);
        if (proto == IpProtocol.Tcp || proto == IpProtocol.Udp)
        {
            sp = BinaryPrimitives.ReadUInt16BigEndian(t);
            dp = BinaryPrimitives.ReadUInt16BigEndian(t.Slice(2));
        }
        else if (proto == IpProtocol.Icmp || proto == IpProtocol.IcmpV6)
        {
            byte type = t[0];
            bool echo = proto == IpProtocol.Icmp ? type is 0 or 8 : type is 128 or 129;
            if (echo) sp = dp = BinaryPrimitives.ReadUInt16BigEndian(t.Slice(4));
        }
        key = FlowKey.Create(src, sp, dst, dp, proto, zone, out _);
        return true;
    }
}
