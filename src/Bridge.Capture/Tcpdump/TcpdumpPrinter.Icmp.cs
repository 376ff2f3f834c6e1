using System.Buffers.Binary;

namespace Bridge.Capture.Tcpdump;

public sealed partial class TcpdumpPrinter
{
    private bool Icmp(in IpHeader ip, ReadOnlySpan<byte> icmp, int length)
    {
        _protocol = "icmp";
        TcpdumpText.AppendIPv4(_out, ip.Source);
        _out.Append(" > ");
        TcpdumpText.AppendIPv4(_out, ip.Destination);
        _out.Append(": ");
        // tcpdump builds the message first and prints it whole: a cut message shows nothing of it.
        int messageStart = _out.Length;
        if (!IcmpMessage(ip, icmp, length))
        {
            _out.Length = messageStart;
            // Where tcpdump checks the quoted header before reading it, a cut ends the packet
            // normally; where it reads a field that is not there, it abandons it (whole-frame dump).
            _dumpWholeFrame = icmp.Length < 2 || !(icmp[0] == 11 || (icmp[0] == 3 && icmp[1] == 3 && icmp.Length < 18));
            return false;
        }
        int type = icmp[0];
        bool error = type is 3 or 4 or 5 or 11 or 12;
        if (_options.Verbose > 0 && error && icmp.Length >= 28)
        {
            // The quoted datagram, printed as tcpdump prints any IP packet, cut at its own length.
            _out.Append("\n\t");
            var inner = icmp.Slice(8);
            int innerLength = BinaryPrimitives.ReadUInt16BigEndian(inner.Slice(2));
            if (inner.Length > innerLength) inner = inner.Slice(0, innerLength);
            return IPv4(inner, innerLength);
        }
        return true;
    }

    private bool IcmpMessage(in IpHeader ip, ReadOnlySpan<byte> icmp, int length)
    {
        if (icmp.Length < 2) return false;
        int type = icmp[0];
        int code = icmp[1];
        _out.Append("ICMP ");
        switch (type)
        {
            case 0 or 8:
                if (icmp.Length < 8) return false;
                _out.Append("echo ").Append(type == 8 ? "request" : "reply")
                    .Append(", id ").Append(BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(4)))
                    .Append(", seq ").Append(BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(6)));
                break;
            case 3:
                if (!IcmpUnreachable(icmp, code)) return false;
                break;
            case 11:
                if (icmp.Length < 28) return false;
                _out.Append(code switch
                {
                    0 => "time exceeded in-transit",
                    1 => "ip reassembly time exceeded",
                    _ => $"time exceeded-#{code}",
                });
                break;
            case 12:
                if (icmp.Length < 8) return false;
                if (code != 0) _out.Append("parameter problem - code ").Append(code);
                else _out.Append("parameter problem - octet ").Append(icmp[4]);
                break;
            case 13:
                if (icmp.Length < 8) return false;
                _out.Append("time stamp query id ").Append(BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(4)))
                    .Append(" seq ").Append(BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(6)));
                break;
            case 18:
                if (icmp.Length < 12) return false;
                _out.Append("address mask is 0x").Append(BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(8)).ToString("x8"));
                break;
            default:
                _out.Append(type switch
                {
                    4 => "source quench",
                    10 => "router solicitation",
                    14 => "time stamp reply",
                    15 => "information request",
                    16 => "information reply",
                    17 => "address mask request",
                    _ => $"type-#{type}",
                });
                break;
        }
        _out.Append(", length ").Append(length);
        if (_options.Verbose > 0 && !ip.Fragmented && icmp.Length >= length)
        {
            var message = icmp.Slice(0, length);
            int sum = FoldedSum(message);
            if (sum != 0xFFFF)
            {
                int stored = BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(2));
                _out.Append(" (wrong icmp cksum ").Append(stored.ToString("x")).Append(" (->").Append(ShouldBe(stored, sum).ToString("x")).Append(")!)");
            }
        }
        return true;
    }

    private bool IcmpUnreachable(ReadOnlySpan<byte> icmp, int code)
    {
        // Every form names the quoted datagram's destination.
        if (icmp.Length < 28) return false;
        var inner = icmp.Slice(8);
        var innerDestination = inner.Slice(16, 4);
        switch (code)
        {
            case 2:
                AppendIPv4Then(innerDestination, " protocol ");
                _out.Append(inner[9]).Append(" unreachable");
                return true;
            case 3:
                int innerHeader = (inner[0] & 0x0F) * 4;
                if (inner.Length < innerHeader + 4) return false;
                int port = BinaryPrimitives.ReadUInt16BigEndian(inner.Slice(innerHeader + 2));
                int protocol = inner[9];
                TcpdumpText.AppendIPv4(_out, innerDestination);
                if (protocol is 6 or 17)
                {
                    _out.Append(protocol == 6 ? " tcp port " : " udp port ");
                    AppendPort(port, protocol == 6);
                    _out.Append(" unreachable");
                }
                else
                {
                    _out.Append(" protocol ").Append(protocol).Append(" port ").Append(port).Append(" unreachable");
                }
                return true;
            case 4:
                int mtu = BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(6));
                AppendIPv4Then(innerDestination, " unreachable - need to frag");
                if (mtu != 0) _out.Append(" (mtu ").Append(mtu).Append(')');
                return true;
        }
        string format = code switch
        {
            0 => "net {0} unreachable",
            1 => "host {0} unreachable",
            5 => "{0} unreachable - source route failed",
            6 => "net {0} unreachable - unknown",
            7 => "host {0} unreachable - unknown",
            8 => "{0} unreachable - source host isolated",
            9 => "net {0} unreachable - admin prohibited",
            10 => "host {0} unreachable - admin prohibited",
            11 => "net {0} unreachable - tos prohibited",
            12 => "host {0} unreachable - tos prohibited",
            13 => "host {0} unreachable - admin prohibited filter",
            14 => "host {0} unreachable - host precedence violation",
            15 => "host {0} unreachable - precedence cutoff",
            _ => $"#{code} {{0}} unreachable",
        };
        int at = format.IndexOf("{0}", StringComparison.Ordinal);
        _out.Append(format, 0, at);
        TcpdumpText.AppendIPv4(_out, innerDestination);
        _out.Append(format, at + 3, format.Length - at - 3);
        return true;
    }

    private void AppendIPv4Then(ReadOnlySpan<byte> address, string text)
    {
        TcpdumpText.AppendIPv4(_out, address);
        _out.Append(text);
    }

    private bool Icmp6(in IpHeader ip, ReadOnlySpan<byte> icmp, int length)
    {
        if (Icmp6Message(ip, icmp, length)) return true;
        // A cut destination-unreachable ends normally (its quote is checked first); the others are abandoned mid-field.
        _dumpWholeFrame = icmp.Length < 1 || icmp[0] != 1;
        return false;
    }

    private bool Icmp6Message(in IpHeader ip, ReadOnlySpan<byte> icmp, int length)
    {
        _protocol = "icmp6";
        if (icmp.Length < 4) return false;
        int type = icmp[0];
        int code = icmp[1];
        if (_options.Verbose > 0 && !ip.Fragmented && icmp.Length >= length)
        {
            int sum = FoldedSum(icmp.Slice(0, length), ip.PseudoHeaderSum(58, length));
            int stored = BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(2));
            if (sum != 0xFFFF) _out.Append("[bad icmp6 cksum 0x").Append(stored.ToString("x4")).Append(" -> 0x").Append(ShouldBe(stored, sum).ToString("x4")).Append("!] ");
            else _out.Append("[icmp6 sum ok] ");
        }
        _out.Append("ICMP6, ").Append(Icmp6TypeName(type) ?? $"unknown icmp6 type ({type})");
        if (_options.Verbose > 0 && type is 133 or 134 or 135 or 136 or 137)
        {
            _out.Append(", length ").Append(length);
        }
        switch (type)
        {
            case 1:
                if (!Icmp6Unreachable(icmp, code, length)) return false;
                if (code > 4 && _options.Verbose <= 1) return true;
                break;
            case 2:
                if (icmp.Length < 8) return false;
                _out.Append(", mtu ").Append(BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(4)));
                break;
            case 3:
                if (code == 0)
                {
                    if (icmp.Length < 48) return false;
                    _out.Append(" for ");
                    TcpdumpText.AppendIPv6(_out, icmp.Slice(32, 16));
                }
                else if (code == 1) _out.Append(" (reassembly)");
                else _out.Append(", unknown code (").Append(code).Append(')');
                break;
            case 4:
                if (icmp.Length < 48) return false;
                uint pointer = BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(4));
                _out.Append(code switch
                {
                    0 => $", erroneous - octet {pointer}",
                    1 => $", next header - octet {pointer}",
                    2 => $", option - octet {pointer}",
                    _ => $", code-#{code}",
                });
                break;
            case 128 or 129:
                if (icmp.Length < 8) return false;
                _out.Append(", id ").Append(BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(4)))
                    .Append(", seq ").Append(BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(6)));
                break;
            case 133:
                if (_options.Verbose > 0 && !NeighborDiscoveryOptions(icmp, 8, length)) return false;
                break;
            case 135:
                if (icmp.Length < 24) return false;
                _out.Append(", who has ");
                TcpdumpText.AppendIPv6(_out, icmp.Slice(8, 16));
                if (_options.Verbose > 0 && !NeighborDiscoveryOptions(icmp, 24, length)) return false;
                break;
            case 136:
                if (icmp.Length < 24) return false;
                _out.Append(", tgt is ");
                TcpdumpText.AppendIPv6(_out, icmp.Slice(8, 16));
                if (_options.Verbose > 0)
                {
                    uint flags = BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(4));
                    _out.Append(", Flags [");
                    int count = 0;
                    if ((flags & 0x80000000) != 0) _out.Append(count++ > 0 ? ", " : "").Append("router");
                    if ((flags & 0x40000000) != 0) _out.Append(count++ > 0 ? ", " : "").Append("solicited");
                    if ((flags & 0x20000000) != 0) _out.Append(count++ > 0 ? ", " : "").Append("override");
                    if (count == 0) _out.Append("none");
                    _out.Append(']');
                    if (!NeighborDiscoveryOptions(icmp, 24, length)) return false;
                }
                break;
            default:
                // Types Bridge does not decode (router advertisement, redirect, MLD, ...): tcpdump's
                // unknown-type form, the length and, below -vv, the body in hex.
                _out.Append(", length ").Append(length);
                if (_options.Verbose <= 1) TcpdumpText.AppendHex(_out, "\n\t", icmp.Slice(0, Math.Min(icmp.Length, length)));
                return true;
        }
        if (_options.Verbose == 0) _out.Append(", length ").Append(length);
        return true;
    }

    private bool Icmp6Unreachable(ReadOnlySpan<byte> icmp, int code, int length)
    {
        _out.Append(", ").Append(code switch
        {
            0 => "unreachable route",
            1 => "unreachable prohibited",
            2 => "beyond scope",
            3 => "unreachable address",
            4 => "unreachable port",
            _ => $"unknown unreach code ({code})",
        });
        var inner = icmp.Length > 8 ? icmp.Slice(8) : default;
        switch (code)
        {
            case 0 or 1 or 3:
                if (inner.Length < 40) return false;
                _out.Append(' ');
                TcpdumpText.AppendIPv6(_out, inner.Slice(24, 16));
                return true;
            case 2:
                if (inner.Length < 40) return false;
                _out.Append(' ');
                TcpdumpText.AppendIPv6(_out, inner.Slice(24, 16));
                _out.Append(", source address ");
                TcpdumpText.AppendIPv6(_out, inner.Slice(8, 16));
                return true;
            case 4:
                if (inner.Length < 44) return false;
                int protocol = inner[6];
                int port = BinaryPrimitives.ReadUInt16BigEndian(inner.Slice(42));
                _out.Append(", ");
                TcpdumpText.AppendIPv6(_out, inner.Slice(24, 16));
                if (protocol is 6 or 17)
                {
                    _out.Append(protocol == 6 ? " tcp port " : " udp port ");
                    AppendPort(port, protocol == 6);
                }
                else
                {
                    _out.Append(" protocol ").Append(protocol).Append(" port ").Append(port).Append(" unreachable");
                }
                return true;
            default:
                if (_options.Verbose <= 1) TcpdumpText.AppendHex(_out, "\n\t", icmp.Slice(0, Math.Min(icmp.Length, length)));
                return true;
        }
    }

    /// <summary>Neighbor discovery options (<c>-v</c>): one indented line each, the bytes in hex too at <c>-vv</c>.</summary>
    private bool NeighborDiscoveryOptions(ReadOnlySpan<byte> icmp, int start, int length)
    {
        int end = Math.Min(length, icmp.Length);
        int at = start;
        while (at < end)
        {
            if (at + 2 > end) return false;
            int type = icmp[at];
            int units = icmp[at + 1];
            int optionLength = units * 8;
            if (units == 0 || at + optionLength > end) return false;
            _out.Append("\n\t  ").Append(type switch
            {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                25 => "rdnss",
                31 => "dnssl",
                _ => "unknown",
            }).Append(" option (").Append(type).Append("), length ").Append(optionLength).Append(" (").Append(units).Append("): ");
            var body = icmp.Slice(at + 2, optionLength - 2);
            switch (type)
            {
                case 1 or 2:
                    TcpdumpText.AppendMac(_out, body);
                    break;
                case 5:
                    _out.Append(' ').Append(BinaryPrimitives.ReadUInt32BigEndian(body.Slice(2)));
                    break;
                default:
                    if (_options.Verbose <= 1)
                    {
                        TcpdumpText.AppendHex(_out, "\n\t  ", body);
                        return true;
                    }
                    break;
            }
            if (_options.Verbose > 1) TcpdumpText.AppendHex(_out, "\n\t    ", body);
            at += optionLength;
        }
        return true;
    }

    private static string? Icmp6TypeName(int type) => type switch
    {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        143 => "multicast listener report v2",
        _ => null,
    };
}
