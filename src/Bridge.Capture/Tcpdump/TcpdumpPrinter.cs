using System.Buffers.Binary;
using System.Text;

namespace Bridge.Capture.Tcpdump;

/// <summary>
/// Prints Ethernet frames the way tcpdump 4.99 prints them (<c>tcpdump -r</c> of an EN10MB file):
/// Ethernet (<c>-e</c>), 802.1Q, ARP, IPv4, IPv6 (fragment header), ICMP, ICMPv6, TCP and UDP with
/// <c>-n -v -vv -q -x -X</c>. The line ends where tcpdump's transport part ends: application data is
/// never decoded (see NOTES.md, "capture-traffic"), so where tcpdump would go on with
/// <c>: HTTP ...</c> or a DNS summary this printer stops after <c>length N</c>, and UDP always prints
/// <c>UDP, length N</c>.
/// One printer follows one stream of packets: TCP sequence numbers print relative to the first
/// SYN or ACK seen per connection, as tcpdump does by default.
/// </summary>
public sealed partial class TcpdumpPrinter
{
    private readonly TcpdumpOptions _options;
    private readonly ServiceNames? _names;
    private readonly TimeZoneInfo _zone;
    private readonly Dictionary<TcpConnectionKey, TcpSequenceBase> _tcpSequences = new();
    private readonly StringBuilder _out = new(256);
    private string _protocol = "";
    private bool _dumpWholeFrame;

    /// <param name="names">Port and protocol names for output without <c>-n</c>; null prints numbers as <c>-n</c> does.</param>
    /// <param name="zone">Time zone of the timestamps (tcpdump uses local time); null = local.</param>
    public TcpdumpPrinter(TcpdumpOptions options, ServiceNames? names = null, TimeZoneInfo? zone = null)
    {
        _options = options;
        _names = options.NoResolve > 0 ? null : names;
        _zone = zone ?? TimeZoneInfo.Local;
    }

    /// <summary>The text tcpdump prints for one frame, every line ended by a newline.</summary>
    public string Print(long timestampNanoseconds, ReadOnlySpan<byte> frame, int wireLength)
    {
        _out.Clear();
        AppendTimestamp(timestampNanoseconds);
        _protocol = "ether";
        _dumpWholeFrame = false;
        int linkHeader = Ethernet(frame, wireLength, out bool truncated);
        if (truncated) _out.Append(" [|").Append(_protocol).Append(']');
        // Where tcpdump abandons a packet mid-field, its hex dump starts at the link layer.
        if (_dumpWholeFrame) linkHeader = 0;
        if (_options.HexAscii > 0)
        {
            if (_options.HexAscii > 1) TcpdumpText.AppendHexAscii(_out, "\n\t", frame);
            else if (frame.Length > linkHeader) TcpdumpText.AppendHexAscii(_out, "\n\t", frame.Slice(linkHeader));
        }
        else if (_options.Hex > 0)
        {
            if (_options.Hex > 1) TcpdumpText.AppendHex(_out, "\n\t", frame);
            else if (frame.Length > linkHeader) TcpdumpText.AppendHex(_out, "\n\t", frame.Slice(linkHeader));
        }
        _out.Append('\n');
        return _out.ToString();
    }

    private void AppendTimestamp(long ns)
    {
        long seconds = Math.DivRem(ns, 1_000_000_000L, out long fraction);
        if (fraction < 0) { seconds--; fraction += 1_000_000_000L; }
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UnixEpoch.AddSeconds(seconds), _zone);
        _out.Append(local.Hour.ToString("00")).Append(':').Append(local.Minute.ToString("00")).Append(':')
            .Append(local.Second.ToString("00")).Append('.').Append((fraction / 1000).ToString("000000")).Append(' ');
    }

    /// <summary>Ethernet and its VLAN tags; returns the link header length (where <c>-x</c> starts), and whether the frame ended too early.</summary>
    private int Ethernet(ReadOnlySpan<byte> frame, int wireLength, out bool truncated)
    {
        truncated = true;
        if (frame.Length < 14)
        {
            if (frame.Length >= 12 && _options.LinkHeader) AppendMacs(frame);
            return 0;
        }
        int type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12));
        if (_options.LinkHeader)
        {
            AppendMacs(frame);
            AppendEtherType(type);
            _out.Append(", length ").Append(wireLength).Append(": ");
        }
        int offset = 14;
        int length = wireLength - 14;
        while (type is 0x8100 or 0x88A8 or 0x9100)
        {
            _protocol = "vlan";
            // A cut tag ends the Ethernet printer early: tcpdump dumps nothing after it.
            if (frame.Length < offset + 4) return frame.Length;
            int tci = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset));
            type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset + 2));
            if (_options.LinkHeader)
            {
                _out.Append("vlan ").Append(tci & 0xFFF).Append(", p ").Append(tci >> 13);
                if ((tci & 0x1000) != 0) _out.Append(", DEI");
                _out.Append(", ");
            }
            offset += 4;
            length -= 4;
            // tcpdump names the inner type only once the next tag is there to read.
            if (type is 0x8100 or 0x88A8 or 0x9100 && frame.Length < offset + 4) return frame.Length;
            if (_options.LinkHeader)
            {
                AppendEtherType(type);
                _out.Append(", ");
            }
        }
        truncated = false;
        if (type < 0x0600)
        {
            // 802.3 length field: tcpdump would decode LLC; Bridge prints the frame header and a dump.
            if (!_options.LinkHeader) AppendEtherHeaderForDefault(frame, wireLength, type);
            TcpdumpText.AppendHexAscii(_out, "\n\t", frame.Slice(offset));
            return offset;
        }
        var payload = frame.Slice(offset);
        bool printed = type switch
        {
            0x0800 => IPv4(payload, length),
            0x86DD => IPv6(payload, length),
            0x0806 => Arp(payload, length),
            _ => UnknownEtherType(frame, payload, wireLength, type),
        };
        truncated = !printed;
        return offset;
    }

    private bool UnknownEtherType(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> payload, int wireLength, int type)
    {
        if (!_options.LinkHeader) AppendEtherHeaderForDefault(frame, wireLength, type);
        // tcpdump's default print: the payload in hex unless -x/-X will dump it anyway.
        if (_options.Hex == 0 && _options.HexAscii == 0 && !_options.Quiet) TcpdumpText.AppendHexAscii(_out, "\n\t", payload);
        return true;
    }

    private void AppendEtherHeaderForDefault(ReadOnlySpan<byte> frame, int wireLength, int type)
    {
        AppendMacs(frame);
        AppendEtherType(type);
        _out.Append(", length ").Append(wireLength).Append(": ");
    }

    private void AppendMacs(ReadOnlySpan<byte> frame)
    {
        AppendStationMac(frame.Slice(6, 6));
        _out.Append(" > ");
        AppendStationMac(frame.Slice(0, 6));
        _out.Append(", ");
    }

    /// <summary>
    /// A MAC as tcpdump names it: plain with <c>-n</c>; otherwise <c>Broadcast</c> or the address
    /// followed by its vendor from tcpdump's small OUI table (<c>(oui Unknown)</c> for most).
    /// /etc/ethers is not consulted.
    /// </summary>
    private void AppendStationMac(ReadOnlySpan<byte> mac)
    {
        if (_names is null)
        {
            TcpdumpText.AppendMac(_out, mac);
            return;
        }
        if (mac.IndexOfAnyExcept((byte)0xFF) < 0)
        {
            _out.Append("Broadcast");
            return;
        }
        TcpdumpText.AppendMac(_out, mac);
        _out.Append(" (oui ").Append(TcpdumpText.OuiName((mac[0] << 16) | (mac[1] << 8) | mac[2]) ?? "Unknown").Append(')');
    }

    private void AppendEtherType(int type)
    {
        var name = TcpdumpText.EtherTypeName(type);
        if (_options.Quiet)
        {
            if (name is null) _out.Append("Unknown Ethertype (0x").Append(type.ToString("x4")).Append(')');
            else _out.Append(name);
            return;
        }
        if (type < 0x0600)
        {
            _out.Append("802.3");
            return;
        }
        _out.Append("ethertype ").Append(name ?? "Unknown").Append(" (0x").Append(type.ToString("x4")).Append(')');
    }

    private bool Arp(ReadOnlySpan<byte> arp, int length)
    {
        _protocol = "arp";
        if (arp.Length < 8)
        {
            _dumpWholeFrame = true;
            return false;
        }
        int hardware = BinaryPrimitives.ReadUInt16BigEndian(arp);
        int protocol = BinaryPrimitives.ReadUInt16BigEndian(arp.Slice(2));
        int hardwareLength = arp[4];
        int protocolLength = arp[5];
        int op = BinaryPrimitives.ReadUInt16BigEndian(arp.Slice(6));
        int sha = 8, spa = sha + hardwareLength, tha = spa + protocolLength, tpa = tha + hardwareLength;
        // tcpdump checks the whole message is there before printing anything of it.
        if (arp.Length < tpa + protocolLength)
        {
            _dumpWholeFrame = true;
            return false;
        }
        if (!_options.LinkHeader) _out.Append("ARP, ");
        if (protocol != 0x0800 || protocolLength != 4 || hardwareLength == 0 || _options.Verbose > 0)
        {
            _out.Append(hardware == 1 ? "Ethernet" : $"Unknown Hardware ({hardware})").Append(" (len ").Append(hardwareLength).Append("), ");
            var protocolName = TcpdumpText.EtherTypeName(protocol);
            _out.Append(protocolName ?? $"Unknown Protocol (0x{protocol:x4})").Append(" (len ").Append(protocolLength).Append("), ");
        }
        bool ipv4 = protocol == 0x0800 && protocolLength == 4;
        switch (op)
        {
            case 1:
                _out.Append("Request who-has ");
                AppendProtocolAddress(arp.Slice(tpa, protocolLength), ipv4);
                if (arp.Slice(tha, hardwareLength).IndexOfAnyExcept((byte)0) >= 0)
                {
                    _out.Append(" (");
                    if (hardwareLength == 6) AppendStationMac(arp.Slice(tha, hardwareLength));
                    else TcpdumpText.AppendMac(_out, arp.Slice(tha, hardwareLength));
                    _out.Append(')');
                }
                _out.Append(" tell ");
                AppendProtocolAddress(arp.Slice(spa, protocolLength), ipv4);
                break;
            case 2:
                _out.Append("Reply ");
                AppendProtocolAddress(arp.Slice(spa, protocolLength), ipv4);
                _out.Append(" is-at ");
                if (hardwareLength == 6) AppendStationMac(arp.Slice(sha, hardwareLength));
                else TcpdumpText.AppendMac(_out, arp.Slice(sha, hardwareLength));
                break;
            default:
                _out.Append("Unknown (").Append(op).Append(')');
                break;
        }
        _out.Append(", length ").Append(length);
        return true;
    }

    private void AppendProtocolAddress(ReadOnlySpan<byte> address, bool ipv4)
    {
        if (ipv4) TcpdumpText.AppendIPv4(_out, address);
        else TcpdumpText.AppendMac(_out, address);
    }

    private void AppendPort(int port, bool tcp)
    {
        var name = _names is null ? null : tcp ? _names.Tcp(port) : _names.Udp(port);
        if (name is null) _out.Append(port);
        else _out.Append(name);
    }

    private void AppendAddress(ReadOnlySpan<byte> address)
    {
        if (address.Length == 4) TcpdumpText.AppendIPv4(_out, address);
        else TcpdumpText.AppendIPv6(_out, address);
    }

    /// <summary>The addresses of an IP header, for the transport printers (<c>src > dst: </c>, with ports when given).</summary>
    private void AppendEndpoints(in IpHeader ip, int sourcePort, int destinationPort, bool tcp)
    {
        AppendAddress(ip.Source);
        if (sourcePort >= 0) { _out.Append('.'); AppendPort(sourcePort, tcp); }
        _out.Append(" > ");
        AppendAddress(ip.Destination);
        if (destinationPort >= 0) { _out.Append('.'); AppendPort(destinationPort, tcp); }
        _out.Append(": ");
    }
}
