using System.Globalization;
using System.Text;
using Bridge.Packets;

namespace Bridge.Capture;

/// <summary>Which address families an <see cref="AddressMatch"/> of kind any accepts.</summary>
public enum AddressKind : byte
{
    Any,
    Any4,
    Any6,
    Host,
    Prefix,
}

/// <summary>One side of a <c>match</c> line: <c>host A</c>, <c>A MASK</c>, <c>A/len</c>, <c>any</c>, <c>any4</c>, <c>any6</c>.</summary>
public readonly record struct AddressMatch(AddressKind Kind, IpAddr Address, IpAddr Mask, int PrefixLength)
{
    public static AddressMatch Any => new(AddressKind.Any, default, default, 0);

    public bool Matches(IpAddr ip) => Kind switch
    {
        AddressKind.Any => true,
        AddressKind.Any4 => ip.IsV4,
        AddressKind.Any6 => !ip.IsV4,
        AddressKind.Host => ip == Address,
        _ => ip.IsV4 == Address.IsV4 && ip.And(Mask) == Address,
    };

    /// <summary>FTD's list-form text: a full mask is printed as <c>host</c>.</summary>
    public override string ToString() => Kind switch
    {
        AddressKind.Any => "any",
        AddressKind.Any4 => "any4",
        AddressKind.Any6 => "any6",
        AddressKind.Host => "host " + Address,
        _ when Address.IsV4 => Address + " " + IpAddr.FromV4(Mask.V4),
        _ => Address + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture),
    };

    public static AddressMatch Host(IpAddr a) => new(AddressKind.Host, a, default, a.IsV4 ? 32 : 128);

    /// <summary>An IPv4 address and mask; a mask that is not contiguous ones is refused, as FTD does.</summary>
    public static bool TryMask(IpAddr address, IpAddr mask, out AddressMatch match)
    {
        match = default;
        if (!address.IsV4 || !mask.IsV4) return false;
        uint m = mask.V4;
        if ((~m & (~m + 1)) != 0) return false;
        int bits = System.Numerics.BitOperations.PopCount(m);
        if (bits == 32)
        {
            match = Host(address);
            return true;
        }
        var full = IpAddr.V4Mask(m);
        match = new(AddressKind.Prefix, address.And(full), full, bits);
        return true;
    }

    public static AddressMatch Prefix6(IpAddr address, int bits)
    {
        if (bits == 128) return Host(address);
        var mask = IpAddr.PrefixMask(bits);
        return new(AddressKind.Prefix, address.And(mask), mask, bits);
    }
}

public enum PortOp : byte
{
    None,
    Eq,
    Lt,
    Gt,
    Neq,
    Range,
}

/// <summary>The port condition after an address: <c>eq|lt|gt|neq N</c> or <c>range A B</c>.</summary>
public readonly record struct PortMatch(PortOp Op, ushort First, ushort Last)
{
    public bool Matches(ushort port) => Op switch
    {
        PortOp.None => true,
        PortOp.Eq => port == First,
        PortOp.Lt => port < First,
        PortOp.Gt => port > First,
        PortOp.Neq => port != First,
        _ => port >= First && port <= Last,
    };

    public override string ToString() => Op switch
    {
        PortOp.None => "",
        PortOp.Range => $"range {PortNames.Name(First)} {PortNames.Name(Last)}",
        _ => $"{Op.ToString().ToLowerInvariant()} {PortNames.Name(First)}",
    };
}

/// <summary>
/// One <c>match PROTO SRC [op port] DST [op port]</c> line. Bidirectional, as on FTD: a packet
/// from DST to SRC matches too (ftd-reference §1.3).
/// </summary>
public sealed record CaptureMatch(string ProtocolName, int Protocol, AddressMatch Source, PortMatch SourcePort, AddressMatch Destination, PortMatch DestinationPort)
{
    /// <summary>Any IP protocol (<c>match ip ...</c>).</summary>
    public const int AnyProtocol = -1;

    public bool Matches(in FrameInfo f)
    {
        if (!f.IsIp) return false;
        if (Protocol != AnyProtocol && f.Protocol != Protocol) return false;
        return OneWay(f.SrcIp, f.SrcPort, f.DstIp, f.DstPort, f) || OneWay(f.DstIp, f.DstPort, f.SrcIp, f.SrcPort, f);
    }

    private bool OneWay(IpAddr src, ushort sport, IpAddr dst, ushort dport, in FrameInfo f)
    {
        if (!Source.Matches(src) || !Destination.Matches(dst)) return false;
        if (SourcePort.Op == PortOp.None && DestinationPort.Op == PortOp.None) return true;
        // Port conditions need the transport header: a non-first fragment never matches them.
        if (!f.IsTcp && !f.IsUdp) return false;
        return SourcePort.Matches(sport) && DestinationPort.Matches(dport);
    }

    public override string ToString()
    {
        var sb = new StringBuilder("match ").Append(ProtocolName).Append(' ').Append(Source);
        if (SourcePort.Op != PortOp.None) sb.Append(' ').Append(SourcePort);
        sb.Append(' ').Append(Destination);
        if (DestinationPort.Op != PortOp.None) sb.Append(' ').Append(DestinationPort);
        return sb.ToString();
    }
}

/// <summary>The protocol and port names the <c>match</c> keyword takes, as ASA spells them.</summary>
public static class PortNames
{
    private static readonly (string Name, ushort Port)[] Ports =
    [
        ("bgp", 179), ("bootpc", 68), ("bootps", 67), ("chargen", 19), ("daytime", 13), ("discard", 9),
        ("domain", 53), ("echo", 7), ("finger", 79), ("ftp", 21), ("ftp-data", 20), ("gopher", 70),
        ("h323", 1720), ("http", 80), ("https", 443), ("imap4", 143), ("irc", 194), ("isakmp", 500),
        ("kerberos", 750), ("ldap", 389), ("ldaps", 636), ("lpd", 515), ("netbios-dgm", 138),
        ("netbios-ns", 137), ("netbios-ssn", 139), ("nntp", 119), ("ntp", 123), ("pop2", 109),
        ("pop3", 110), ("pptp", 1723), ("radius", 1645), ("rsh", 514), ("rtsp", 554), ("sip", 5060),
        ("smtp", 25), ("snmp", 161), ("snmptrap", 162), ("sqlnet", 1521), ("ssh", 22), ("sunrpc", 111),
        ("syslog", 514), ("tacacs", 49), ("telnet", 23), ("tftp", 69), ("whois", 43), ("www", 80),
    ];

    private static readonly (string Name, int Number)[] Protocols =
    [
        ("ip", CaptureMatch.AnyProtocol), ("icmp", 1), ("igmp", 2), ("ipinip", 4), ("tcp", 6), ("igrp", 9), ("udp", 17),
        ("gre", 47), ("pptp", 47), ("esp", 50), ("ipsec", 50), ("ah", 51), ("icmp6", 58), ("eigrp", 88), ("ospf", 89),
        ("nos", 94), ("pim", 103), ("pcp", 108), ("snp", 109), ("sctp", 132),
    ];

    public static IEnumerable<string> ProtocolWords => Protocols.Select(p => p.Name);

    public static bool TryPort(string text, out ushort port)
    {
        if (ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)) return true;
        foreach (var (name, p) in Ports)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                port = p;
                return true;
            }
        }
        return false;
    }

    /// <summary>The name ASA prints for a port (<c>www</c> for 80), or the number.</summary>
    public static string Name(ushort port)
    {
        // ASA prints www for 80, never http.
        if (port == 80) return "www";
        foreach (var (name, p) in Ports)
        {
            if (p == port && name != "http") return name;
        }
        return port.ToString(CultureInfo.InvariantCulture);
    }

    public static bool TryProtocol(string text, out string canonical, out int number)
    {
        foreach (var (name, n) in Protocols)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                canonical = name;
                number = n;
                return true;
            }
        }
        if (byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte b))
        {
            canonical = b.ToString(CultureInfo.InvariantCulture);
            number = b;
            return true;
        }
        canonical = "";
        number = 0;
        return false;
    }
}
