using System.Buffers.Binary;
using System.Text;

namespace Bridge.Capture.Tcpdump;

/// <summary>Text forms tcpdump 4.99 uses for addresses, hex dumps and names.</summary>
public static class TcpdumpText
{
    public static void AppendMac(StringBuilder to, ReadOnlySpan<byte> mac)
    {
        for (int i = 0; i < mac.Length; i++)
        {
            if (i > 0) to.Append(':');
            to.Append(HexDigit(mac[i] >> 4)).Append(HexDigit(mac[i] & 0xF));
        }
    }

    public static void AppendIPv4(StringBuilder to, ReadOnlySpan<byte> address)
    {
        to.Append(address[0]).Append('.').Append(address[1]).Append('.').Append(address[2]).Append('.').Append(address[3]);
    }

    /// <summary>
    /// IPv6 text as tcpdump's own inet_ntop writes it: lower-case groups without leading zeros, the
    /// longest run of two or more zero groups (the first such run on a tie) as <c>::</c>, and an
    /// embedded IPv4 tail for IPv4-compatible (<c>::a.b.c.d</c>) and mapped (<c>::ffff:a.b.c.d</c>) addresses.
    /// </summary>
    public static void AppendIPv6(StringBuilder to, ReadOnlySpan<byte> address)
    {
        Span<int> words = stackalloc int[8];
        for (int i = 0; i < 8; i++) words[i] = BinaryPrimitives.ReadUInt16BigEndian(address.Slice(i * 2));
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (curBase == -1) { curBase = i; curLen = 1; }
                else curLen++;
            }
            else if (curBase != -1)
            {
                if (bestBase == -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
        if (bestBase != -1 && bestLen < 2) bestBase = -1;

        for (int i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen)
            {
                if (i == bestBase) to.Append(':');
                continue;
            }
            if (i != 0) to.Append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff)))
            {
                AppendIPv4(to, address.Slice(12));
                return;
            }
            to.Append(words[i].ToString("x"));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) to.Append(':');
    }

    /// <summary>tcpdump's <c>-x</c> dump: lines of eight 16-bit groups, each line <c>{indent}0xOOOO: </c>.</summary>
    public static void AppendHex(StringBuilder to, string indent, ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        int i = 0;
        int shorts = bytes.Length / 2;
        int at = 0;
        for (; shorts > 0; shorts--)
        {
            if (i++ % 8 == 0)
            {
                to.Append(indent).Append("0x").Append(offset.ToString("x4")).Append(": ");
                offset += 16;
            }
            to.Append(' ').Append(Hex2(bytes[at])).Append(Hex2(bytes[at + 1]));
            at += 2;
        }
        if ((bytes.Length & 1) != 0)
        {
            if (i % 8 == 0) to.Append(indent).Append("0x").Append(offset.ToString("x4")).Append(": ");
            to.Append(' ').Append(Hex2(bytes[at]));
        }
    }

    /// <summary>tcpdump's <c>-X</c> dump: the hex column padded to 40 characters, two spaces, then printable ASCII (others as '.').</summary>
    public static void AppendHexAscii(StringBuilder to, string indent, ReadOnlySpan<byte> bytes)
    {
        var hex = new StringBuilder(48);
        var ascii = new StringBuilder(16);
        int offset = 0;
        for (int at = 0; at < bytes.Length; at += 16)
        {
            hex.Clear();
            ascii.Clear();
            var line = bytes.Slice(at, Math.Min(16, bytes.Length - at));
            for (int k = 0; k + 1 < line.Length; k += 2)
            {
                hex.Append(' ').Append(Hex2(line[k])).Append(Hex2(line[k + 1]));
            }
            if ((line.Length & 1) != 0) hex.Append(' ').Append(Hex2(line[^1]));
            foreach (byte b in line) ascii.Append(b > 0x20 && b <= 0x7E ? (char)b : '.');
            to.Append(indent).Append("0x").Append(offset.ToString("x4")).Append(": ")
                .Append(hex.ToString().PadRight(40)).Append("  ").Append(ascii);
            offset += 16;
        }
    }

    private static string Hex2(byte b) => b.ToString("x2");

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    /// <summary>Names of tcpdump's EtherType table for the types a bridge meets; null when tcpdump calls it Unknown.</summary>
    public static string? EtherTypeName(int type) => type switch
    {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x8035 => "Reverse ARP",
        0x8100 => "802.1Q",
        0x86DD => "IPv6",
        0x8808 => "MAC control",
        0x8809 => "Slow Protocols",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x8863 => "PPPoE D",
        0x8864 => "PPPoE S",
        0x888E => "EAPOL",
        0x88A8 => "802.1Q-QinQ",
        0x88CC => "LLDP",
        0x88E5 => "MACsec",
        0x88F7 => "PTP",
        0x9100 => "802.1Q-9100",
        0x9200 => "802.1Q-9200",
        _ => null,
    };

    /// <summary>Vendors tcpdump names in <c>(oui ...)</c> without -n, for the prefixes a lab meets; null = Unknown.</summary>
    public static string? OuiName(int oui) => oui switch
    {
        0x000000 => "Ethernet",
        0x00000C => "Cisco",
        0x0000F8 => "Cisco",
        0x00E02B => "Extreme",
        0x0080C2 => "IEEE",
        0x00D0EF => "IGMP",
        0x00906B => "Cisco",
        0x00A00C => "Juniper",
        _ => null,
    };

    /// <summary>tcpdump's IP protocol names (the <c>proto X (n)</c> of <c>-v</c>); null = "unknown".</summary>
    public static string? IpProtocolName(int protocol) => protocol switch
    {
        0 => "Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        9 => "IGRP",
        17 => "UDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        55 => "Mobile IP",
        58 => "ICMPv6",
        60 => "Destination Options",
        62 => "Mobile IP (old)",
        77 => "ND",
        88 => "EIGRP",
        89 => "OSPF",
        103 => "PIM",
        108 => "Compressed IP",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        135 => "Mobility",
        _ => null,
    };
}
