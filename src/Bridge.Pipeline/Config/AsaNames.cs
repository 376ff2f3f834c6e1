using System.Globalization;
using Bridge.Packets;

namespace Bridge.Pipeline.Config;

/// <summary>
/// The literal names ASA accepts for ports, protocols, ICMP types, log levels and EtherTypes,
/// and the name it prints back for a number. Printing uses the preferred name so that
/// <c>show running-config</c> reads like ASA's (<c>eq www</c>, not <c>eq 80</c>) and parses back.
/// </summary>
public static class AsaNames
{
    // Preferred name first where two names share a number (www before http), because the
    // reverse map keeps the first name it sees.
    private static readonly (string Name, ushort Port)[] TcpPorts =
    [
        ("aol", 5190), ("bgp", 179), ("chargen", 19), ("cifs", 3020), ("citrix-ica", 1494), ("cmd", 514),
        ("ctiqbe", 2748), ("daytime", 13), ("discard", 9), ("domain", 53), ("echo", 7), ("exec", 512),
        ("finger", 79), ("ftp", 21), ("ftp-data", 20), ("gopher", 70), ("h323", 1720), ("hostname", 101),
        ("www", 80), ("http", 80), ("https", 443), ("ident", 113), ("imap4", 143), ("irc", 194),
        ("kerberos", 88), ("klogin", 543), ("kshell", 544), ("ldap", 389), ("ldaps", 636), ("login", 513),
        ("lotusnotes", 1352), ("lpd", 515), ("netbios-ssn", 139), ("nfs", 2049), ("nntp", 119),
        ("pcanywhere-data", 5631), ("pim-auto-rp", 496), ("pop2", 109), ("pop3", 110), ("pptp", 1723),
        ("rsh", 514), ("rtsp", 554), ("sip", 5060), ("smtp", 25), ("sqlnet", 1521), ("ssh", 22),
        ("sunrpc", 111), ("tacacs", 49), ("talk", 517), ("telnet", 23), ("uucp", 540), ("whois", 43),
    ];

    private static readonly (string Name, ushort Port)[] UdpPorts =
    [
        ("biff", 512), ("bootpc", 68), ("bootps", 67), ("cifs", 3020), ("discard", 9), ("dnsix", 195),
        ("domain", 53), ("echo", 7), ("www", 80), ("http", 80), ("isakmp", 500), ("kerberos", 88),
        ("mobile-ip", 434), ("nameserver", 42), ("netbios-dgm", 138), ("netbios-ns", 137), ("nfs", 2049),
        ("ntp", 123), ("pcanywhere-status", 5632), ("pim-auto-rp", 496), ("radius", 1645),
        ("radius-acct", 1646), ("rip", 520), ("secureid-udp", 5510), ("sip", 5060), ("snmp", 161),
        ("snmptrap", 162), ("sunrpc", 111), ("syslog", 514), ("tacacs", 49), ("talk", 517), ("tftp", 69),
        ("time", 37), ("vxlan", 4789), ("who", 513), ("xdmcp", 177),
    ];

    private static readonly (string Name, byte Number)[] Protocols =
    [
        ("icmp", IpProtocol.Icmp), ("igmp", 2), ("ipinip", 4), ("tcp", IpProtocol.Tcp), ("igrp", 9),
        ("udp", IpProtocol.Udp), ("gre", IpProtocol.Gre), ("esp", IpProtocol.Esp), ("ipsec", IpProtocol.Esp),
        ("ah", IpProtocol.Ah), ("icmp6", IpProtocol.IcmpV6), ("eigrp", 88), ("ospf", 89), ("nos", 94),
        ("pim", 103), ("pcp", 108), ("snp", 109), ("sctp", IpProtocol.Sctp), ("pptp", IpProtocol.Gre),
    ];

    private static readonly (string Name, byte Type)[] Icmp4Types =
    [
        ("echo-reply", 0), ("unreachable", 3), ("source-quench", 4), ("redirect", 5), ("alternate-address", 6),
        ("echo", 8), ("router-advertisement", 9), ("router-solicitation", 10), ("time-exceeded", 11),
        ("parameter-problem", 12), ("timestamp-request", 13), ("timestamp-reply", 14),
        ("information-request", 15), ("information-reply", 16), ("mask-request", 17), ("mask-reply", 18),
        ("traceroute", 30), ("conversion-error", 31), ("mobile-redirect", 32),
    ];

    private static readonly (string Name, byte Type)[] Icmp6Types =
    [
        ("unreachable", 1), ("packet-too-big", 2), ("time-exceeded", 3), ("parameter-problem", 4),
        ("echo", 128), ("echo-reply", 129), ("membership-query", 130), ("membership-report", 131),
        ("membership-reduction", 132), ("router-solicitation", 133), ("router-advertisement", 134),
        ("neighbor-solicitation", 135), ("neighbor-advertisement", 136), ("neighbor-redirect", 137),
        ("router-renumbering", 138),
    ];

    private static readonly string[] LogLevels =
        ["emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging"];

    private static readonly Dictionary<string, ushort> TcpByName = ToMap(TcpPorts);
    private static readonly Dictionary<string, ushort> UdpByName = ToMap(UdpPorts);
    private static readonly Dictionary<ushort, string> TcpByPort = ToReverse(TcpPorts);
    private static readonly Dictionary<ushort, string> UdpByPort = ToReverse(UdpPorts);
    private static readonly Dictionary<string, byte> ProtocolByName = ToMap(Protocols);
    private static readonly Dictionary<byte, string> ProtocolByNumber = ToReverse(Protocols);
    private static readonly Dictionary<string, byte> Icmp4ByName = ToMap(Icmp4Types);
    private static readonly Dictionary<byte, string> Icmp4ByType = ToReverse(Icmp4Types);
    private static readonly Dictionary<string, byte> Icmp6ByName = ToMap(Icmp6Types);
    private static readonly Dictionary<byte, string> Icmp6ByType = ToReverse(Icmp6Types);

    /// <summary>Protocols whose ACEs may carry port operators.</summary>
    public static bool HasPorts(int protocol) =>
        protocol == IpProtocol.Tcp || protocol == IpProtocol.Udp || protocol == IpProtocol.Sctp;

    /// <summary>Port by number or name. Names depend on the protocol (512-514 differ between TCP and UDP);
    /// for a protocol-neutral context (tcp-udp groups) the TCP table is tried first.</summary>
    public static bool TryParsePort(string text, int protocol, out ushort port)
    {
        if (ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return true;
        }
        if (protocol == IpProtocol.Udp)
        {
            return UdpByName.TryGetValue(text, out port);
        }
        if (protocol == IpProtocol.Tcp || protocol == IpProtocol.Sctp)
        {
            return TcpByName.TryGetValue(text, out port);
        }
        return TcpByName.TryGetValue(text, out port) || UdpByName.TryGetValue(text, out port);
    }

    /// <summary>The name ASA prints for a port, or the number. A name is used only when it parses back to
    /// the same number in every protocol the context allows.</summary>
    public static string FormatPort(ushort port, int protocol)
    {
        if (protocol == IpProtocol.Udp)
        {
            return UdpByPort.TryGetValue(port, out var u) ? u : Number(port);
        }
        if (protocol == IpProtocol.Tcp || protocol == IpProtocol.Sctp)
        {
            return TcpByPort.TryGetValue(port, out var t) ? t : Number(port);
        }
        // tcp-udp: only names that mean the same number in both tables.
        if (TcpByPort.TryGetValue(port, out var n) && (!UdpByName.TryGetValue(n, out var up) || up == port))
        {
            return n;
        }
        return Number(port);
    }

    public static bool TryParseProtocol(string text, out byte protocol)
    {
        if (byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol))
        {
            return true;
        }
        return ProtocolByName.TryGetValue(text, out protocol);
    }

    public static string FormatProtocol(byte protocol) =>
        ProtocolByNumber.TryGetValue(protocol, out var n) ? n : Number(protocol);

    public static bool TryParseIcmpType(string text, int protocol, out byte type)
    {
        if (byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out type))
        {
            return true;
        }
        return (protocol == IpProtocol.IcmpV6 ? Icmp6ByName : Icmp4ByName).TryGetValue(text, out type);
    }

    public static string FormatIcmpType(byte type, int protocol) =>
        (protocol == IpProtocol.IcmpV6 ? Icmp6ByType : Icmp4ByType).TryGetValue(type, out var n) ? n : Number(type);

    public static bool TryParseLogLevel(string text, out int level)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out level) && level <= 7)
        {
            return true;
        }
        level = Array.IndexOf(LogLevels, text);
        return level >= 0;
    }

    public static string FormatLogLevel(int level) => LogLevels[level];

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, T> ToMap<T>((string, T)[] table) where T : struct
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (name, value) in table)
        {
            map[name] = value;
        }
        return map;
    }

    private static Dictionary<T, string> ToReverse<T>((string, T)[] table) where T : struct
    {
        var map = new Dictionary<T, string>();
        foreach (var (name, value) in table)
        {
            map.TryAdd(value, name);
        }
        return map;
    }
}
