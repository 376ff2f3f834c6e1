using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Bridge.Packets;

namespace Bridge.Capture;

/// <summary>
/// The one-line ASA decode of a captured frame (ftd-reference §2.4): the <c>802.1Q vlan#V P&lt;pcp&gt;</c>
/// prefix on tagged frames, then the tcpdump-3-style ICMP, TCP, UDP, ARP or IPv6 text, plus the
/// <c>detail</c> and <c>dump</c> variants. Control-plane code: it allocates freely.
/// </summary>
public static class AsaPacketFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Decodes a stored frame. A frame cut by packet-length is decoded as if the missing bytes were
    /// zeros, so its headers still read as they came off the wire.
    /// </summary>
    public static FrameInfo Decode(CapturedPacket p, out byte[] whole)
    {
        whole = p.Frame;
        if (p.OriginalLength > p.Frame.Length)
        {
            whole = new byte[p.OriginalLength];
            p.Frame.CopyTo(whole, 0);
        }
        var info = new FrameInfo();
        info.Reset();
        FrameDecoder.Decode(whole, ref info);
        return info;
    }

    /// <summary>
    /// The decoded text of one packet. With <paramref name="detail"/> the text starts with the L2
    /// header (<c>src dst 0xTYPE Length: N</c>), a newline and six spaces, and ends with the IP
    /// header facts.
    /// </summary>
    public static string Describe(CapturedPacket p, bool detail)
    {
        var f = Decode(p, out var frame);
        var sb = new StringBuilder();
        if (detail && frame.Length >= 14)
        {
            ushort outerType = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
            sb.Append(MacAddr.Read(frame.AsSpan(6)).ToCisco()).Append(' ').Append(MacAddr.Read(frame).ToCisco())
              .Append(" 0x").Append(outerType.ToString("x4", Inv)).Append(" Length: ").Append(p.OriginalLength).Append("\n      ");
        }
        if (f.VlanCount > 0) sb.Append("802.1Q vlan#").Append(f.OuterVlan).Append(" P").Append(f.OuterPcp).Append(' ');
        if (f.IsIp) Ip(sb, f, frame, detail);
        else if (f.IsArp && f.L3Offset >= 0) Arp(sb, f, frame);
        else sb.Append(f.IsLlc ? "802.3 length " : "ethertype 0x").Append(f.IsLlc ? f.EtherType.ToString(Inv) : f.EtherType.ToString("x4", Inv)).Append(", length ").Append(p.OriginalLength);
        return sb.ToString();
    }

    private static void Ip(StringBuilder sb, in FrameInfo f, byte[] frame, bool detail)
    {
        string src = f.SrcIp.ToString(), dst = f.DstIp.ToString();
        if (f.IsTcp)
        {
            sb.Append(src).Append('.').Append(f.SrcPort).Append(" > ").Append(dst).Append('.').Append(f.DstPort).Append(": ");
            Tcp(sb, f, frame);
        }
        else if (f.IsUdp)
        {
            sb.Append(src).Append('.').Append(f.SrcPort).Append(" > ").Append(dst).Append('.').Append(f.DstPort)
              .Append(": udp ").Append(Math.Max(0, f.L4Length - 8));
        }
        else if (f.IsIcmp)
        {
            sb.Append(src).Append(" > ").Append(dst).Append(": ");
            if (f.Protocol == IpProtocol.Icmp) sb.Append("icmp: ").Append(Icmp4(f));
            else sb.Append("icmp6: ").Append(Icmp6(f, frame));
        }
        else if (f.IsFragment && f.FragmentOffset != 0)
        {
            sb.Append(src).Append(" > ").Append(dst).Append(": (frag ").Append(f.FragmentId).Append(':')
              .Append(f.IpTotalLength - f.IpHeaderLength).Append('@').Append(f.FragmentOffset).Append(f.MoreFragments ? "+)" : ")");
        }
        else
        {
            sb.Append(src).Append(" > ").Append(dst).Append(": ip-proto-").Append(f.Protocol).Append(' ').Append(Math.Max(0, f.IpTotalLength - f.IpHeaderLength));
        }
        if (detail)
        {
            if (f.IsIpv4)
            {
                if (f.DontFragment) sb.Append(" (DF)");
                sb.Append(" (ttl ").Append(f.Ttl).Append(", id ").Append(f.IpId).Append(')');
            }
            else
            {
                sb.Append(" (hlim ").Append(f.Ttl).Append(')');
            }
        }
    }

    private static void Tcp(StringBuilder sb, in FrameInfo f, byte[] frame)
    {
        var flags = f.TcpFlags;
        int before = sb.Length;
        if ((flags & TcpFlags.Syn) != 0) sb.Append('S');
        if ((flags & TcpFlags.Fin) != 0) sb.Append('F');
        if ((flags & TcpFlags.Rst) != 0) sb.Append('R');
        if ((flags & TcpFlags.Psh) != 0) sb.Append('P');
        if ((flags & TcpFlags.Cwr) != 0) sb.Append('W');
        if ((flags & TcpFlags.Ece) != 0) sb.Append('E');
        if (sb.Length == before) sb.Append('.');
        int payload = Math.Max(0, f.L4Length - f.TcpHeaderLength);
        if ((flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0 || payload > 0)
        {
            sb.Append(' ').Append(f.TcpSeq).Append(':').Append(unchecked(f.TcpSeq + (uint)payload)).Append('(').Append(payload).Append(')');
        }
        if ((flags & TcpFlags.Ack) != 0) sb.Append(" ack ").Append(f.TcpAck);
        sb.Append(" win ").Append(f.TcpWindow);
        if ((flags & TcpFlags.Urg) != 0 && f.L4Offset + 20 <= frame.Length)
        {
            sb.Append(" urg ").Append(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(f.L4Offset + 18)));
        }
        TcpOptions(sb, frame.AsSpan(f.L4Offset + 20, Math.Max(0, Math.Min(f.TcpHeaderLength - 20, frame.Length - f.L4Offset - 20))));
    }

    /// <summary>The options in tcpdump's bracketed form: <c>&lt;mss 1460,sackOK,timestamp 1 0,nop,wscale 7&gt;</c>.</summary>
    private static void TcpOptions(StringBuilder sb, ReadOnlySpan<byte> o)
    {
        if (o.Length == 0) return;
        var parts = new List<string>();
        int i = 0;
        while (i < o.Length)
        {
            byte kind = o[i];
            if (kind == 0)
            {
                parts.Add("eol");
                break;
            }
            if (kind == 1)
            {
                parts.Add("nop");
                i++;
                continue;
            }
            if (i + 1 >= o.Length || o[i + 1] < 2 || i + o[i + 1] > o.Length)
            {
                parts.Add("[bad opt]");
                break;
            }
            var v = o.Slice(i + 2, o[i + 1] - 2);
            parts.Add(kind switch
            {
                2 when v.Length == 2 => "mss " + BinaryPrimitives.ReadUInt16BigEndian(v).ToString(Inv),
                3 when v.Length == 1 => "wscale " + v[0].ToString(Inv),
                4 => "sackOK",
                5 => Sack(v),
                8 when v.Length == 8 => "timestamp " + BinaryPrimitives.ReadUInt32BigEndian(v).ToString(Inv) + " " + BinaryPrimitives.ReadUInt32BigEndian(v.Slice(4)).ToString(Inv),
                _ => "opt-" + kind.ToString(Inv),
            });
            i += o[i + 1];
        }
        sb.Append(" <").Append(string.Join(',', parts)).Append('>');
    }

    private static string Sack(ReadOnlySpan<byte> v)
    {
        var sb = new StringBuilder("sack ").Append(v.Length / 8);
        for (int i = 0; i + 8 <= v.Length; i += 8)
        {
            sb.Append(" {").Append(BinaryPrimitives.ReadUInt32BigEndian(v.Slice(i))).Append(':').Append(BinaryPrimitives.ReadUInt32BigEndian(v.Slice(i + 4))).Append('}');
        }
        return sb.ToString();
    }

    private static string Icmp4(in FrameInfo f) => (f.IcmpType, f.IcmpCode) switch
    {
        (0, _) => "echo reply",
        (8, _) => "echo request",
        (3, 0) => "net unreachable",
        (3, 1) => "host unreachable",
        (3, 2) => "protocol unreachable",
        (3, 3) => "port unreachable",
        (3, 4) => "need to frag",
        (3, 13) => "admin prohibited",
        (3, var c) => "unreachable code " + c.ToString(Inv),
        (4, _) => "source quench",
        (5, _) => "redirect",
        (11, 0) => "time exceeded in-transit",
        (11, _) => "ip reassembly time exceeded",
        (12, _) => "parameter problem",
        (13, _) => "time stamp request",
        (14, _) => "time stamp reply",
        _ => "type-#" + f.IcmpType.ToString(Inv),
    };

    private static string Icmp6(in FrameInfo f, byte[] frame)
    {
        int l4 = f.L4Offset;
        string Target() => l4 + 24 <= frame.Length ? IpAddr.FromV6(frame.AsSpan(l4 + 8, 16)).ToString() : "?";
        return f.IcmpType switch
        {
            128 => "echo request",
            129 => "echo reply",
            1 => "destination unreachable",
            2 => "packet too big",
            3 => "time exceeded",
            4 => "parameter problem",
            133 => "router solicitation",
            134 => "router advertisement",
            135 => "neighbor sol: who has " + Target(),
            136 => "neighbor adv: tgt is " + Target(),
            137 => "redirect",
            _ => "type-#" + f.IcmpType.ToString(Inv),
        };
    }

    private static void Arp(StringBuilder sb, in FrameInfo f, byte[] frame)
    {
        switch (f.ArpOp)
        {
            case 1:
                sb.Append("arp who-has ").Append(f.ArpTargetIp).Append(" tell ").Append(f.ArpSenderIp);
                break;
            case 2:
                string mac = f.L3Offset + 14 <= frame.Length ? MacAddr.Read(frame.AsSpan(f.L3Offset + 8)).ToCisco() : "?";
                sb.Append("arp reply ").Append(f.ArpSenderIp).Append(" is-at ").Append(mac);
                break;
            default:
                sb.Append("arp-#").Append(f.ArpOp).Append(' ').Append(f.ArpSenderIp).Append(" > ").Append(f.ArpTargetIp);
                break;
        }
    }

    /// <summary>
    /// <c>dump</c>: the stored bytes from the L3 header on (never the MAC header), 16 per row as
    /// <c>0x0000	 4500 0054 ... 	E..T....</c>.
    /// </summary>
    public static string Dump(CapturedPacket p)
    {
        var f = Decode(p, out _);
        int from = f.L3Offset >= 0 ? Math.Min(f.L3Offset, p.Frame.Length) : Math.Min(14, p.Frame.Length);
        var bytes = p.Frame.AsSpan(from);
        var sb = new StringBuilder();
        for (int row = 0; row < bytes.Length; row += 16)
        {
            var chunk = bytes.Slice(row, Math.Min(16, bytes.Length - row));
            sb.Append("0x").Append(row.ToString("x4", Inv)).Append("\t ");
            for (int i = 0; i < 16; i++)
            {
                if (i < chunk.Length) sb.Append(chunk[i].ToString("x2", Inv));
                else sb.Append("  ");
                if (i % 2 == 1) sb.Append(' ');
            }
            sb.Append('\t');
            foreach (byte b in chunk) sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
