using System.Globalization;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>The parameter types packet-tracer needs beyond the common ones (MAC, port, protocol, ICMP type, TCP flags, hex).</summary>
internal static class TracerParams
{
    public static ParamType Mac { get; } = new MacParam();
    public static ParamType TcpPort { get; } = new PortParam(IpProtocol.Tcp);
    public static ParamType UdpPort { get; } = new PortParam(IpProtocol.Udp);
    public static ParamType RawProtocol { get; } = new ProtocolParam();
    public static ParamType IcmpType { get; } = new IcmpTypeParam();
    public static ParamType Flags { get; } = new FlagsParam();
    public static ParamType Hex { get; } = new HexParam();

    /// <summary>Parses <c>SYN</c>, <c>syn,ack</c>, <c>SA</c> (one letter per flag: F S R P A U E C) or a number.</summary>
    public static bool TryParseFlags(string text, out TcpFlags flags)
    {
        flags = TcpFlags.None;
        if (ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort n))
        {
            flags = (TcpFlags)n;
            return n <= 0x1FF;
        }
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out n))
        {
            flags = (TcpFlags)n;
            return n <= 0x1FF;
        }
        var words = text.Split([',', '|', '+'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 1 && words[0].Length <= 8 && IsLetters(words[0]) && !IsName(words[0]))
        {
            // Letter form: "SA" = SYN+ACK, "PA" = PSH+ACK.
            foreach (char c in words[0])
            {
                var f = Letter(char.ToUpperInvariant(c));
                if (f == TcpFlags.None) return false;
                flags |= f;
            }
            return true;
        }
        foreach (var w in words)
        {
            var f = Name(w);
            if (f == TcpFlags.None) return false;
            flags |= f;
        }
        return words.Length > 0;
    }

    /// <summary>Parses an even number of hex digits, with optional spaces removed by the caller and an optional 0x.</summary>
    public static bool TryParseHex(string text, out byte[] bytes)
    {
        bytes = [];
        var s = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        s = s.Replace(":", "", StringComparison.Ordinal);
        if (s.Length == 0 || s.Length % 2 != 0) return false;
        try
        {
            bytes = Convert.FromHexString(s);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsLetters(string s)
    {
        foreach (char c in s) if (!char.IsAsciiLetter(c)) return false;
        return true;
    }

    private static bool IsName(string s) => Name(s) != TcpFlags.None;

    private static TcpFlags Letter(char c) => c switch
    {
        'F' => TcpFlags.Fin,
        'S' => TcpFlags.Syn,
        'R' => TcpFlags.Rst,
        'P' => TcpFlags.Psh,
        'A' => TcpFlags.Ack,
        'U' => TcpFlags.Urg,
        'E' => TcpFlags.Ece,
        'C' => TcpFlags.Cwr,
        _ => TcpFlags.None,
    };

    private static TcpFlags Name(string s) => s.ToLowerInvariant() switch
    {
        "fin" => TcpFlags.Fin,
        "syn" => TcpFlags.Syn,
        "rst" => TcpFlags.Rst,
        "psh" => TcpFlags.Psh,
        "ack" => TcpFlags.Ack,
        "urg" => TcpFlags.Urg,
        "ece" => TcpFlags.Ece,
        "cwr" => TcpFlags.Cwr,
        _ => TcpFlags.None,
    };

    /// <summary>The <c>MACADDR</c> forms FTD accepts (H.H.H) and the colon/dash forms; never a plain number.</summary>
    private sealed class MacParam : ParamType
    {
        public override string Display => "H.H.H";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) =>
            (token.Contains('.') || token.Contains(':') || token.Contains('-')) && token.Length is 14 or 17 && MacAddr.TryParse(token, out _);
    }

    private sealed class PortParam(byte protocol) : ParamType
    {
        public override string Display => "<0-65535>";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => AsaNames.TryParsePort(token.ToLowerInvariant(), protocol, out _);
    }

    private sealed class ProtocolParam : ParamType
    {
        public override string Display => "<0-255>";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => AsaNames.TryParseProtocol(token.ToLowerInvariant(), out _);
    }

    /// <summary>ICMP or ICMPv6 type by number or ASA name; which table applies is known once the source address is.</summary>
    private sealed class IcmpTypeParam : ParamType
    {
        public override string Display => "<0-255>";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot)
        {
            var t = token.ToLowerInvariant();
            return AsaNames.TryParseIcmpType(t, IpProtocol.Icmp, out _) || AsaNames.TryParseIcmpType(t, IpProtocol.IcmpV6, out _);
        }
    }

    private sealed class FlagsParam : ParamType
    {
        public override string Display => "FLAGS";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => TryParseFlags(token, out _);
    }

    private sealed class HexParam : ParamType
    {
        public override string Display => "HEX";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => TryParseHex(token, out _);
    }
}
