using System.Buffers.Binary;

namespace Bridge.Capture.Tcpdump;

public sealed partial class TcpdumpPrinter
{
    /// <summary>What the transport printers need of the IP header around them.</summary>
    private readonly ref struct IpHeader
    {
        public readonly ReadOnlySpan<byte> Source;
        public readonly ReadOnlySpan<byte> Destination;
        public readonly bool Fragmented;

        /// <summary>The IP printer already wrote <c>src > dst: </c> (an IPv6 extension header came first).</summary>
        public readonly bool AddressesPrinted;

        public IpHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fragmented, bool addressesPrinted = false)
        {
            Source = source;
            Destination = destination;
            Fragmented = fragmented;
            AddressesPrinted = addressesPrinted;
        }

        public bool IsV6 => Source.Length == 16;

        /// <summary>Ones-complement sum of the pseudo-header (addresses, protocol, transport length).</summary>
        public uint PseudoHeaderSum(int protocol, int length)
        {
            uint sum = 0;
            for (int i = 0; i + 1 < Source.Length; i += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(Source.Slice(i));
                sum += BinaryPrimitives.ReadUInt16BigEndian(Destination.Slice(i));
            }
            sum += (uint)protocol;
            sum += (uint)(length >> 16) + (uint)(length & 0xFFFF);
            return sum;
        }
    }

    private static readonly (int Code, string Name)[] IpOptionNames =
    [
        (0, "EOL"), (1, "NOP"), (7, "RR"), (68, "TS"), (130, "security"), (131, "LSRR"), (137, "SSRR"), (148, "RA"),
    ];

    private bool IPv4(ReadOnlySpan<byte> ip, int length)
    {
        _protocol = "ip";
        if (!_options.LinkHeader) _out.Append("IP ");
        if (ip.Length < 20) return false;
        int version = ip[0] >> 4;
        if (version != 4)
        {
            _out.Append("IP").Append(version).Append(' ');
            return true;
        }
        int headerLength = (ip[0] & 0x0F) * 4;
        if (headerLength < 20)
        {
            _out.Append("bad-hlen ").Append(headerLength);
            return true;
        }
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(2));
        if (totalLength > length)
        {
            _out.Append("[total length ").Append(totalLength).Append(" > length ").Append(length).Append("] (invalid) ");
        }
        if (totalLength < headerLength)
        {
            _out.Append("bad-len ").Append(totalLength);
            return true;
        }
        if (ip.Length < headerLength) return false;
        // Bytes beyond the IP total length (Ethernet padding) belong to no layer above.
        if (ip.Length > totalLength) ip = ip.Slice(0, totalLength);
        int fragment = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(6));
        int offset = fragment & 0x1FFF;
        bool fragmented = (fragment & 0x3FFF) != 0;
        int protocol = ip[9];
        int payloadLength = totalLength - headerLength;

        if (_options.Verbose > 0)
        {
            int tos = ip[1];
            _out.Append("(tos 0x").Append(tos.ToString("x"));
            switch (tos & 3)
            {
                case 1: _out.Append(",ECT(1)"); break;
                case 2: _out.Append(",ECT(0)"); break;
                case 3: _out.Append(",CE"); break;
            }
            if (ip[8] >= 1) _out.Append(", ttl ").Append(ip[8]);
            _out.Append(", id ").Append(BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(4)))
                .Append(", offset ").Append(offset * 8)
                .Append(", flags [");
            int flagCount = 0;
            if ((fragment & 0x2000) != 0) { _out.Append('+'); flagCount++; }
            if ((fragment & 0x4000) != 0) { _out.Append(flagCount++ > 0 ? ", DF" : "DF"); }
            if ((fragment & 0x8000) != 0) { _out.Append(flagCount++ > 0 ? ", rsvd" : "rsvd"); }
            if (flagCount == 0) _out.Append("none");
            _out.Append("], proto ").Append(TcpdumpText.IpProtocolName(protocol) ?? "unknown").Append(" (").Append(protocol).Append(')')
                .Append(", length ").Append(totalLength);
            if (headerLength > 20)
            {
                _out.Append(", options (");
                AppendIpOptions(ip.Slice(20, headerLength - 20));
                _out.Append(')');
            }
            var header = ip.Slice(0, headerLength);
            if (!ChecksumOk(header))
            {
                int stored = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(10));
                _out.Append(", bad cksum ").Append(stored.ToString("x")).Append(" (->")
                    .Append(ShouldBe(stored, FoldedSum(header)).ToString("x")).Append(")!");
            }
            _out.Append(")\n    ");
        }

        var header4 = new IpHeader(ip.Slice(12, 4), ip.Slice(16, 4), fragmented);
        var payload = ip.Slice(headerLength);
        if (offset != 0)
        {
            TcpdumpText.AppendIPv4(_out, header4.Source);
            _out.Append(" > ");
            TcpdumpText.AppendIPv4(_out, header4.Destination);
            _out.Append(':');
            var name = _names?.Protocol(protocol);
            if (name is not null) _out.Append(' ').Append(name);
            else _out.Append(" ip-proto-").Append(protocol);
            return true;
        }
        return Transport(header4, protocol, payload, payloadLength);
    }

    private void AppendIpOptions(ReadOnlySpan<byte> options)
    {
        bool first = true;
        while (options.Length > 0)
        {
            if (!first) _out.Append(',');
            first = false;
            int code = options[0];
            string? name = null;
            foreach (var entry in IpOptionNames) if (entry.Code == code) name = entry.Name;
            _out.Append(name ?? $"unknown {code}");
            if (code is 0 or 1)
            {
                if (code == 0) return;
                options = options.Slice(1);
                continue;
            }
            int optionLength = options.Length > 1 ? options[1] : 0;
            if (optionLength < 2 || optionLength > options.Length)
            {
                _out.Append(" [bad length ").Append(optionLength).Append(']');
                return;
            }
            if (code == 148 && optionLength >= 4)
            {
                int value = BinaryPrimitives.ReadUInt16BigEndian(options.Slice(2));
                if (value != 0) _out.Append(" value ").Append(value);
            }
            options = options.Slice(optionLength);
        }
    }

    private bool IPv6(ReadOnlySpan<byte> ip, int length)
    {
        _protocol = "ip6";
        if (ip.Length < 40) return false;
        if (!_options.LinkHeader) _out.Append("IP6 ");
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(4));
        int next = ip[6];
        if (ip.Length > 40 + payloadLength) ip = ip.Slice(0, 40 + payloadLength);
        if (_options.Verbose > 0)
        {
            uint flow = BinaryPrimitives.ReadUInt32BigEndian(ip);
            _out.Append('(');
            if ((flow & 0x0FF00000) != 0) _out.Append("class 0x").Append(((flow & 0x0FF00000) >> 20).ToString("x2")).Append(", ");
            if ((flow & 0x000FFFFF) != 0) _out.Append("flowlabel 0x").Append((flow & 0x000FFFFF).ToString("x5")).Append(", ");
            _out.Append("hlim ").Append(ip[7]).Append(", next-header ").Append(TcpdumpText.IpProtocolName(next) ?? "unknown")
                .Append(" (").Append(next).Append(") payload length: ").Append(payloadLength).Append(") ");
        }
        var source = ip.Slice(8, 16);
        var destination = ip.Slice(24, 16);
        var payload = ip.Slice(40);
        int remaining = payloadLength;
        bool fragmented = false;
        bool addressesPrinted = false;
        while (true)
        {
            if (next is not (6 or 17) && !addressesPrinted)
            {
                TcpdumpText.AppendIPv6(_out, source);
                _out.Append(" > ");
                TcpdumpText.AppendIPv6(_out, destination);
                _out.Append(": ");
                addressesPrinted = true;
            }
            if (next != 44) break;
            // Fragment header: tcpdump prints it and decodes only the first fragment's payload.
            _protocol = "frag6";
            // tcpdump reads the offset, and the identification only for -v.
            if (payload.Length < (_options.Verbose > 0 ? 8 : 4)) return false;
            int offsetField = BinaryPrimitives.ReadUInt16BigEndian(payload.Slice(2));
            int fragmentOffset = offsetField & 0xFFF8;
            int fragmentLength = remaining - 8;
            if (_options.Verbose > 0)
            {
                _out.Append("frag (0x").Append(BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(4)).ToString("x8")).Append(':')
                    .Append(fragmentOffset).Append('|').Append(fragmentLength).Append(')');
            }
            else
            {
                _out.Append("frag (").Append(fragmentOffset).Append('|').Append(fragmentLength).Append(')');
            }
            if (fragmentOffset != 0) return true;
            _out.Append(' ');
            fragmented = true;
            next = payload[0];
            // Nothing captured after the fragment header: tcpdump stops there without a mark.
            if (payload.Length <= 8) return true;
            payload = payload.Slice(8);
            remaining -= 8;
        }
        return Transport(new IpHeader(source, destination, fragmented, addressesPrinted), next, payload, remaining);
    }

    /// <summary>The transport printers; for protocols without one, tcpdump's generic <c>ip-proto-N LEN</c>.</summary>
    private bool Transport(in IpHeader ip, int protocol, ReadOnlySpan<byte> payload, int length)
    {
        switch (protocol)
        {
            case 6: return Tcp(ip, payload, length);
            case 17: return Udp(ip, payload, length);
            case 1 when !ip.IsV6: return Icmp(ip, payload, length);
            case 58 when ip.IsV6: return Icmp6(ip, payload, length);
        }
        if (!ip.IsV6)
        {
            TcpdumpText.AppendIPv4(_out, ip.Source);
            _out.Append(" > ");
            TcpdumpText.AppendIPv4(_out, ip.Destination);
            _out.Append(": ");
        }
        // tcpdump's generic form starts with its own space after the "src > dst: " of the IP layer.
        var name = _names?.Protocol(protocol);
        if (name is not null) _out.Append(' ').Append(name);
        else _out.Append(" ip-proto-").Append(protocol);
        _out.Append(' ').Append(length);
        return true;
    }

    /// <summary>Sum folded to 16 bits, before the final complement.</summary>
    private static int FoldedSum(ReadOnlySpan<byte> bytes, uint start = 0)
    {
        ulong sum = start;
        int i = 0;
        for (; i + 1 < bytes.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(i));
        if (i < bytes.Length) sum += (uint)(bytes[i] << 8);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (int)sum;
    }

    /// <summary>True when the checksum over the bytes (and pseudo-header start) verifies.</summary>
    private static bool ChecksumOk(ReadOnlySpan<byte> bytes, uint start = 0) => FoldedSum(bytes, start) == 0xFFFF;

    /// <summary>
    /// The checksum the packet should carry, from the stored one and the folded sum over the packet
    /// including it (tcpdump's in_cksum_shouldbe, RFC 1624).
    /// </summary>
    private static int ShouldBe(int stored, int foldedSum)
    {
        int shouldBe = stored + (~foldedSum & 0xFFFF);
        shouldBe = (shouldBe & 0xFFFF) + (shouldBe >> 16);
        shouldBe = (shouldBe & 0xFFFF) + (shouldBe >> 16);
        return shouldBe;
    }
}
