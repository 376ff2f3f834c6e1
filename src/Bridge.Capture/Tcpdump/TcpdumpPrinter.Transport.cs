using System.Buffers.Binary;

namespace Bridge.Capture.Tcpdump;

public sealed partial class TcpdumpPrinter
{
    private const int TcpFin = 0x01, TcpSyn = 0x02, TcpRst = 0x04, TcpPush = 0x08, TcpAck = 0x10, TcpUrg = 0x20, TcpEce = 0x40, TcpCwr = 0x80;

    /// <summary>tcpdump's flag letters, in its order.</summary>
    private static readonly (int Bit, char Letter)[] TcpFlagLetters =
    [
        (TcpFin, 'F'), (TcpSyn, 'S'), (TcpRst, 'R'), (TcpPush, 'P'), (TcpAck, '.'), (TcpUrg, 'U'), (TcpEce, 'E'), (TcpCwr, 'W'),
    ];

    /// <summary>One TCP connection, its endpoints in a fixed order so both directions find it.</summary>
    private readonly record struct TcpConnectionKey(UInt128 AddressA, UInt128 AddressB, int PortA, int PortB);

    /// <summary>Sequence bases of a connection: <c>Seq</c> for the A→B direction, <c>Ack</c> for B→A (as acknowledged).</summary>
    private struct TcpSequenceBase
    {
        public uint Seq;
        public uint Ack;
    }

    private static UInt128 AddressValue(ReadOnlySpan<byte> address) =>
        address.Length == 16 ? BinaryPrimitives.ReadUInt128BigEndian(address) : BinaryPrimitives.ReadUInt32BigEndian(address);

    private bool Tcp(in IpHeader ip, ReadOnlySpan<byte> tcp, int length)
    {
        _protocol = "tcp";
        if (tcp.Length < 4)
        {
            AppendAddress(ip.Source);
            _out.Append(" > ");
            AppendAddress(ip.Destination);
            _out.Append(':');
            return false;
        }
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(2));
        AppendEndpoints(ip, sourcePort, destinationPort, tcp: true);
        if (tcp.Length < 20) return false;
        int headerLength = (tcp[12] >> 4) * 4;
        if (headerLength < 20)
        {
            _out.Append(" tcp ").Append((uint)(length - headerLength)).Append(" [bad hdr length ").Append(headerLength).Append(" - too short, < 20]");
            return true;
        }
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(tcp.Slice(4));
        uint ack = BinaryPrimitives.ReadUInt32BigEndian(tcp.Slice(8));
        int flags = tcp[13];
        int window = BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(14));
        int urgent = BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(18));
        if (_options.Quiet)
        {
            _out.Append("tcp ").Append((uint)(length - headerLength));
            if (headerLength > length) _out.Append(" [bad hdr length ").Append(headerLength).Append(" - too long, > ").Append(length).Append(']');
            return true;
        }

        _out.Append("Flags [");
        if (flags == 0) _out.Append("none");
        foreach (var (bit, letter) in TcpFlagLetters) if ((flags & bit) != 0) _out.Append(letter);
        _out.Append(']');

        // Relative numbering, as tcpdump does without -S: only packets with ACK take part; a SYN
        // (or the first packet seen) sets the bases, later packets print relative to them.
        uint seqBase = 0, ackBase = 0;
        bool reverse = false;
        if ((flags & TcpAck) != 0)
        {
            UInt128 source = AddressValue(ip.Source), destination = AddressValue(ip.Destination);
            reverse = source > destination || (source == destination && sourcePort > destinationPort);
            var key = reverse
                ? new TcpConnectionKey(destination, source, destinationPort, sourcePort)
                : new TcpConnectionKey(source, destination, sourcePort, destinationPort);
            if (!_tcpSequences.TryGetValue(key, out var bases) || (flags & TcpSyn) != 0)
            {
                bases = reverse ? new TcpSequenceBase { Ack = seq, Seq = ack - 1 } : new TcpSequenceBase { Seq = seq, Ack = ack - 1 };
                _tcpSequences[key] = bases;
            }
            else if (reverse)
            {
                seq -= bases.Ack;
                ack -= bases.Seq;
            }
            else
            {
                seq -= bases.Seq;
                ack -= bases.Ack;
            }
            seqBase = bases.Seq;
            ackBase = bases.Ack;
        }

        if (headerLength > length)
        {
            _out.Append(" [bad hdr length ").Append(headerLength).Append(" - too long, > ").Append(length).Append(']');
            return true;
        }

        if (_options.Verbose > 0 && !ip.Fragmented && tcp.Length >= length)
        {
            var segment = tcp.Slice(0, length);
            int sum = FoldedSum(segment, ip.PseudoHeaderSum(6, length));
            int stored = BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(16));
            _out.Append(", cksum 0x").Append(stored.ToString("x4"));
            if (sum != 0xFFFF) _out.Append(" (incorrect -> 0x").Append(ShouldBe(stored, sum).ToString("x4")).Append(')');
            else _out.Append(" (correct)");
        }

        int dataLength = length - headerLength;
        if (_options.Verbose > 1 || dataLength > 0 || (flags & (TcpSyn | TcpFin | TcpRst)) != 0)
        {
            _out.Append(", seq ").Append(seq);
            if (dataLength > 0) _out.Append(':').Append(seq + (uint)dataLength);
        }
        if ((flags & TcpAck) != 0) _out.Append(", ack ").Append(ack);
        _out.Append(", win ").Append(window);
        if ((flags & TcpUrg) != 0) _out.Append(", urg ").Append(urgent);
        if (headerLength > 20)
        {
            _out.Append(", options [");
            switch (TcpOptions(tcp.Slice(20, Math.Min(headerLength, tcp.Length) - 20), headerLength - 20, reverse ? seqBase : ackBase))
            {
                case OptionsEnd.CutAtHeader:
                    _dumpWholeFrame = true;
                    return false;
                case OptionsEnd.CutInData:
                    _out.Append(" [|tcp]>");
                    return true;
                case OptionsEnd.Bad:
                    _out.Append("[bad opt]]");
                    return true;
            }
            _out.Append(']');
        }
        _out.Append(", length ").Append(dataLength);
        return true;
    }

    /// <summary>How the option list ended: whole, or cut where tcpdump stops reading it.</summary>
    private enum OptionsEnd : byte
    {
        Complete,
        /// <summary>A kind or length byte was not captured: tcpdump abandons the packet (whole-frame dump).</summary>
        CutAtHeader,
        /// <summary>An option's data was not captured: tcpdump prints <c> [|tcp]></c> and ends the line.</summary>
        CutInData,
        /// <summary>A length that does not fit: <c>[bad opt]</c>.</summary>
        Bad,
    }

    /// <summary>
    /// The option list; <paramref name="captured"/> may be shorter than <paramref name="declared"/>
    /// (the header length says) when the frame was cut.
    /// </summary>
    private OptionsEnd TcpOptions(ReadOnlySpan<byte> captured, int declared, uint sackBase)
    {
        int at = 0;
        bool first = true;
        while (at < declared)
        {
            if (!first) _out.Append(',');
            first = false;
            if (at >= captured.Length) return OptionsEnd.CutAtHeader;
            int kind = captured[at];
            int length = 1;
            if (kind > 1)
            {
                if (at + 1 >= captured.Length) return OptionsEnd.CutAtHeader;
                length = captured[at + 1];
                if (length < 2 || length > declared - at) return OptionsEnd.Bad;
            }
            int dataStart = at + Math.Min(2, length);
            int dataLength = length - Math.Min(2, length);
            // What tcpdump reads of this option's data before printing it.
            int needed = kind switch { 2 => 2, 3 => 1, 8 => 8, 0 or 1 or 4 => 0, _ => dataLength };
            if (needed > dataLength)
            {
                _out.Append(kind switch { 2 => "mss", 3 => "wscale", _ => "TS" });
                return OptionsEnd.Bad;
            }
            if (dataStart + needed > captured.Length)
            {
                _out.Append(kind switch { 2 => "mss", 3 => "wscale", 5 => "sack", 8 => "TS", _ => TcpOptionName(kind) });
                // SACK says how many blocks before reading them.
                if (kind == 5) _out.Append(dataLength % 8 != 0 ? " invalid sack" : $" {dataLength / 8} ");
                if (kind == 5 && dataLength % 8 != 0) return OptionsEnd.Complete;
                return OptionsEnd.CutInData;
            }
            var data = captured.Slice(dataStart, Math.Min(dataLength, captured.Length - dataStart));
            int printed;
            switch (kind)
            {
                case 0: _out.Append("eol"); printed = 0; break;
                case 1: _out.Append("nop"); printed = 0; break;
                case 2:
                    _out.Append("mss ").Append(BinaryPrimitives.ReadUInt16BigEndian(data));
                    printed = 2;
                    break;
                case 3:
                    _out.Append("wscale ").Append(data[0]);
                    printed = 1;
                    break;
                case 4: _out.Append("sackOK"); printed = 0; break;
                case 5:
                    _out.Append("sack");
                    printed = dataLength;
                    if (dataLength % 8 != 0)
                    {
                        _out.Append(" invalid sack");
                        break;
                    }
                    _out.Append(' ').Append(dataLength / 8).Append(' ');
                    for (int i = 0; i < dataLength; i += 8)
                    {
                        uint start = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i)) - sackBase;
                        uint end = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i + 4)) - sackBase;
                        _out.Append('{').Append(start).Append(':').Append(end).Append('}');
                    }
                    break;
                case 8:
                    _out.Append("TS val ").Append(BinaryPrimitives.ReadUInt32BigEndian(data))
                        .Append(" ecr ").Append(BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4)));
                    printed = 8;
                    break;
                default:
                    _out.Append(TcpOptionName(kind));
                    if (dataLength > 0) _out.Append(" 0x");
                    foreach (byte b in data) _out.Append(b.ToString("x2"));
                    printed = dataLength;
                    break;
            }
            // tcpdump flags an option whose length disagrees with what its kind carries.
            int expected = printed + (kind > 1 ? 2 : 1);
            if (expected != length) _out.Append("[len ").Append(length).Append(']');
            if (kind == 0) return OptionsEnd.Complete;
            at += length;
        }
        return OptionsEnd.Complete;
    }

    private static string TcpOptionName(int kind) => kind switch
    {
        6 => "echo",
        7 => "echoreply",
        11 => "cc",
        12 => "ccnew",
        13 => "",
        19 => "md5",
        20 => "scps",
        27 => "qs",
        28 => "uto",
        29 => "tcp-ao",
        30 => "mptcp",
        34 => "tfo",
        254 => "exp",
        _ => $"unknown-{kind}",
    };

    private bool Udp(in IpHeader ip, ReadOnlySpan<byte> udp, int length)
    {
        _protocol = "udp";
        if (udp.Length < 4)
        {
            AppendUdpEndpoints(ip, -1, -1);
            return false;
        }
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(udp);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(udp.Slice(2));
        if (length < 8)
        {
            AppendUdpEndpoints(ip, sourcePort, destinationPort);
            _out.Append("truncated-udp ").Append(length);
            return true;
        }
        if (udp.Length < 6)
        {
            AppendUdpEndpoints(ip, sourcePort, destinationPort);
            return false;
        }
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp.Slice(4));
        if (udpLength == 0 && length > 65535) udpLength = length;
        if (udpLength < 8)
        {
            AppendUdpEndpoints(ip, sourcePort, destinationPort);
            _out.Append("truncated-udplength ").Append(udpLength);
            return true;
        }
        udpLength -= 8;
        length -= 8;
        if (udpLength < length) length = udpLength;
        AppendUdpEndpoints(ip, sourcePort, destinationPort);
        if (udp.Length < 8) return false;
        if (_options.Verbose > 0 && !ip.Fragmented && !_options.Quiet)
        {
            int stored = BinaryPrimitives.ReadUInt16BigEndian(udp.Slice(6));
            bool whole = udp.Length >= 8 + length;
            if (!ip.IsV6 && _options.Verbose > 1)
            {
                if (stored == 0) _out.Append("[no cksum] ");
                else if (whole) AppendUdpChecksum(ip, udp.Slice(0, 8 + length), stored);
            }
            else if (ip.IsV6 && whole)
            {
                AppendUdpChecksum(ip, udp.Slice(0, 8 + length), stored);
            }
        }
        _out.Append("UDP, length ").Append(udpLength);
        return true;
    }

    private void AppendUdpChecksum(in IpHeader ip, ReadOnlySpan<byte> datagram, int stored)
    {
        int sum = FoldedSum(datagram, ip.PseudoHeaderSum(17, datagram.Length));
        if (sum != 0xFFFF) _out.Append("[bad udp cksum 0x").Append(stored.ToString("x4")).Append(" -> 0x").Append(ShouldBe(stored, sum).ToString("x4")).Append("!] ");
        else _out.Append("[udp sum ok] ");
    }

    /// <summary>UDP's endpoints; when an IP extension header came between, the IP printer already wrote the addresses.</summary>
    private void AppendUdpEndpoints(in IpHeader ip, int sourcePort, int destinationPort)
    {
        if (ip.AddressesPrinted)
        {
            if (sourcePort < 0) return;
            AppendPort(sourcePort, tcp: false);
            _out.Append(" > ");
            AppendPort(destinationPort, tcp: false);
            _out.Append(": ");
            return;
        }
        AppendEndpoints(ip, sourcePort, destinationPort, tcp: false);
    }
}
