using System.Buffers.Binary;
using IpProto = Bridge.Packets.IpProtocol;

namespace Bridge.Packets;

/// <summary>
/// Builds wire frames layer by layer with correct lengths and checksums, for tests and
/// packet-tracer. Not for the data path: it allocates freely.
/// Layers are written in call order: Ethernet, tags, one L3 (IPv4, IPv6, ARP, raw EtherType,
/// LLC), then IPv6 extension headers / fragment header in call order, then one transport.
/// To produce a malformed frame, build a good one and damage the returned bytes.
/// </summary>
public sealed class FrameBuilder
{
    private enum Network : byte { None, Ipv4, Ipv6, Arp, Raw, Llc }

    private enum Transport : byte { None, Tcp, Udp, Icmp, Payload }

    private const byte DefaultRawProtocol = 253; // RFC 3692 "use for experimentation and testing"

    private readonly MacAddr _src;
    private readonly MacAddr _dst;
    private readonly List<(ushort Tpid, ushort Tci)> _tags = new();

    private Network _network;
    private IpAddr _ipSrc;
    private IpAddr _ipDst;
    private byte _ttl;
    private byte _tos;
    private ushort _ipId;
    private bool _dontFragment;
    private byte[] _ipv4Options = [];
    private bool _hasFragment;
    private int _fragmentOffset;
    private bool _moreFragments;
    private uint _ipv6FragmentId = 1;
    private readonly List<(byte Type, byte[] Body)> _ipv6Extensions = new();
    private int? _protocolOverride;

    private ushort _etherType;
    private byte[] _l3Payload = [];

    private ushort _arpOp;
    private MacAddr _arpSenderMac;
    private IpAddr _arpSenderIp;
    private MacAddr _arpTargetMac;
    private IpAddr _arpTargetIp;

    private Transport _transport;
    private ushort _srcPort;
    private ushort _dstPort;
    private TcpFlags _tcpFlags;
    private uint _tcpSeq;
    private uint _tcpAck;
    private ushort _tcpWindow;
    private byte[] _tcpOptions = [];
    private byte _icmpType;
    private byte _icmpCode;
    private byte[] _icmpRest = [];
    private byte[] _l4Payload = [];

    private int _padTo;

    private FrameBuilder(MacAddr src, MacAddr dst)
    {
        _src = src;
        _dst = dst;
    }

    public static FrameBuilder Ethernet(MacAddr src, MacAddr dst) => new(src, dst);

    /// <summary>Adds an 802.1Q (or, with <paramref name="tpid"/> 0x88a8, 802.1ad) tag. Call twice for QinQ, outer first.</summary>
    public FrameBuilder Vlan(ushort vid, byte pcp = 0, ushort tpid = EtherTypes.Vlan)
    {
        if (vid > 0xFFF) throw new ArgumentOutOfRangeException(nameof(vid), vid, "VLAN id is 12 bits");
        if (pcp > 7) throw new ArgumentOutOfRangeException(nameof(pcp), pcp, "PCP is 3 bits");
        _tags.Add((tpid, (ushort)((pcp << 13) | vid)));
        return this;
    }

    public FrameBuilder Ipv4(IpAddr src, IpAddr dst, byte ttl = 64, ushort id = 0, bool dontFragment = false, byte[]? options = null, byte tos = 0)
    {
        SetNetwork(Network.Ipv4, EtherTypes.Ipv4);
        if (!src.IsV4 || !dst.IsV4) throw new ArgumentException("IPv4 header needs IPv4 addresses");
        var opts = options ?? [];
        if (opts.Length > 40) throw new ArgumentException("IPv4 options are at most 40 bytes", nameof(options));
        (_ipSrc, _ipDst, _ttl, _ipId, _dontFragment, _tos) = (src, dst, ttl, id, dontFragment, tos);
        _ipv4Options = opts;
        return this;
    }

    public FrameBuilder Ipv6(IpAddr src, IpAddr dst, byte hopLimit = 64)
    {
        SetNetwork(Network.Ipv6, EtherTypes.Ipv6);
        (_ipSrc, _ipDst, _ttl) = (src, dst, hopLimit);
        return this;
    }

    /// <summary>
    /// IPv4: sets MF and the offset in the header. IPv6: appends a fragment header at this point
    /// of the extension chain (identification 1 unless <see cref="Fragment(int, bool, uint)"/> is used).
    /// </summary>
    public FrameBuilder Fragment(int offsetBytes, bool moreFragments) => Fragment(offsetBytes, moreFragments, _ipv6FragmentId);

    /// <summary>As <see cref="Fragment(int, bool)"/>, with an explicit IPv6 fragment identification.</summary>
    public FrameBuilder Fragment(int offsetBytes, bool moreFragments, uint ipv6Identification)
    {
        if (_network is not (Network.Ipv4 or Network.Ipv6)) throw new InvalidOperationException("Fragment needs Ipv4 or Ipv6 first");
        if (offsetBytes < 0 || offsetBytes % 8 != 0 || offsetBytes / 8 > 0x1FFF)
            throw new ArgumentOutOfRangeException(nameof(offsetBytes), offsetBytes, "fragment offset is a multiple of 8 below 65536");
        (_hasFragment, _fragmentOffset, _moreFragments, _ipv6FragmentId) = (true, offsetBytes, moreFragments, ipv6Identification);
        if (_network == Network.Ipv6)
        {
            var body = new byte[6];
            BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)(offsetBytes | (moreFragments ? 1 : 0)));
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(2), ipv6Identification);
            _ipv6Extensions.Add((IpProto.Fragment, body));
        }
        return this;
    }

    /// <summary>
    /// Appends an IPv6 extension header (hop-by-hop 0, routing 43, destination options 60, ...).
    /// <paramref name="body"/> is everything after next-header and length; it is zero padded to
    /// a multiple of 8 (zero bytes are Pad1 options in hop-by-hop and destination options).
    /// </summary>
    public FrameBuilder Ipv6Extension(byte nextHeaderType, byte[] body)
    {
        if (_network != Network.Ipv6) throw new InvalidOperationException("Ipv6Extension needs Ipv6 first");
        _ipv6Extensions.Add((nextHeaderType, body));
        return this;
    }

    /// <summary>ICMP echo request/reply (ICMPv6 128/129 on IPv6) with a counting payload, like ping's.</summary>
    public FrameBuilder IcmpEcho(bool request, ushort id, ushort seq, int payloadLength = 32)
    {
        RequireIp();
        var rest = new byte[4 + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(rest, id);
        BinaryPrimitives.WriteUInt16BigEndian(rest.AsSpan(2), seq);
        for (int i = 0; i < payloadLength; i++) rest[4 + i] = (byte)(0x10 + i);
        byte type = _network == Network.Ipv6 ? (byte)(request ? 128 : 129) : (byte)(request ? 8 : 0);
        return Icmp(type, 0, rest);
    }

    /// <summary>Any ICMP/ICMPv6 message; <paramref name="rest"/> is everything after type, code and checksum.</summary>
    public FrameBuilder Icmp(byte type, byte code, byte[] rest)
    {
        RequireIp();
        SetTransport(Transport.Icmp);
        (_icmpType, _icmpCode, _icmpRest) = (type, code, rest);
        return this;
    }

    public FrameBuilder Tcp(ushort srcPort, ushort dstPort, TcpFlags flags, uint seq = 0, uint ack = 0, ushort window = 65535, byte[]? payload = null, byte[]? options = null)
    {
        RequireIp();
        SetTransport(Transport.Tcp);
        var opts = options ?? [];
        if (opts.Length > 40) throw new ArgumentException("TCP options are at most 40 bytes", nameof(options));
        (_srcPort, _dstPort, _tcpFlags, _tcpSeq, _tcpAck, _tcpWindow) = (srcPort, dstPort, flags, seq, ack, window);
        _tcpOptions = opts;
        _l4Payload = payload ?? [];
        return this;
    }

    public FrameBuilder Udp(ushort srcPort, ushort dstPort, byte[]? payload = null)
    {
        RequireIp();
        SetTransport(Transport.Udp);
        (_srcPort, _dstPort) = (srcPort, dstPort);
        _l4Payload = payload ?? [];
        return this;
    }

    public FrameBuilder Arp(ushort op, MacAddr senderMac, IpAddr senderIp, MacAddr targetMac, IpAddr targetIp)
    {
        SetNetwork(Network.Arp, EtherTypes.Arp);
        (_arpOp, _arpSenderMac, _arpSenderIp, _arpTargetMac, _arpTargetIp) = (op, senderMac, senderIp, targetMac, targetIp);
        return this;
    }

    /// <summary>Any EtherType with an opaque payload (IPX 0x8137, MPLS, ...).</summary>
    public FrameBuilder Raw(ushort etherType, byte[] payload)
    {
        SetNetwork(Network.Raw, etherType);
        _l3Payload = payload;
        return this;
    }

    /// <summary>
    /// An 802.3 length-framed frame: the type field carries <paramref name="payload"/>'s length.
    /// The payload starts with the LLC header (DSAP, SSAP, control), e.g. 42 42 03 for STP.
    /// </summary>
    public FrameBuilder Llc(byte[] payload)
    {
        if (payload.Length >= 0x0600) throw new ArgumentException("an 802.3 length must stay below 0x0600", nameof(payload));
        SetNetwork(Network.Llc, (ushort)payload.Length);
        _l3Payload = payload;
        return this;
    }

    /// <summary>Raw IP payload for protocols without a dedicated method; the protocol number comes from <see cref="IpProtocol(byte)"/> (default 253).</summary>
    public FrameBuilder Payload(byte[] bytes)
    {
        RequireIp();
        SetTransport(Transport.Payload);
        _l4Payload = bytes;
        return this;
    }

    /// <summary>Overrides the IPv4 protocol / last IPv6 next-header value written in the frame.</summary>
    public FrameBuilder IpProtocol(byte proto)
    {
        _protocolOverride = proto;
        return this;
    }

    /// <summary>Zero pads the frame to at least <paramref name="minLength"/> bytes (60 for minimum Ethernet without FCS).</summary>
    public FrameBuilder PadTo(int minLength)
    {
        _padTo = minLength;
        return this;
    }

    public byte[] Build()
    {
        var l3 = _network switch
        {
            Network.Ipv4 => BuildIpv4(),
            Network.Ipv6 => BuildIpv6(),
            Network.Arp => BuildArp(),
            Network.Raw or Network.Llc => _l3Payload,
            _ => [],
        };
        int l2Length = 14 + 4 * _tags.Count;
        var frame = new byte[Math.Max(l2Length + l3.Length, _padTo)];
        var span = frame.AsSpan();
        _dst.Write(span);
        _src.Write(span.Slice(6));
        int at = 12;
        foreach (var (tpid, tci) in _tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(at), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(at + 2), tci);
            at += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(at), _network == Network.None ? (ushort)0 : _etherType);
        l3.CopyTo(span.Slice(at + 2));
        return frame;
    }

    private byte[] BuildIpv4()
    {
        int optionsLength = (_ipv4Options.Length + 3) & ~3;
        int headerLength = 20 + optionsLength;
        byte protocol = TransportProtocol(isV6: false);
        var l4 = BuildTransport(protocol, isV6: false);
        int total = headerLength + l4.Length;
        if (total > 0xFFFF) throw new InvalidOperationException($"IPv4 total length {total} exceeds 65535");
        var ip = new byte[total];
        var h = ip.AsSpan();
        h[0] = (byte)(0x40 | (headerLength / 4));
        h[1] = _tos;
        BinaryPrimitives.WriteUInt16BigEndian(h.Slice(2), (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(h.Slice(4), _ipId);
        int flagsOffset = (_dontFragment ? 0x4000 : 0) | (_hasFragment && _moreFragments ? 0x2000 : 0) | (_hasFragment ? _fragmentOffset / 8 : 0);
        BinaryPrimitives.WriteUInt16BigEndian(h.Slice(6), (ushort)flagsOffset);
        h[8] = _ttl;
        h[9] = protocol;
        _ipSrc.WriteV4(h.Slice(12));
        _ipDst.WriteV4(h.Slice(16));
        _ipv4Options.CopyTo(h.Slice(20));
        BinaryPrimitives.WriteUInt16BigEndian(h.Slice(10), InternetChecksum.Compute(h.Slice(0, headerLength)));
        l4.CopyTo(h.Slice(headerLength));
        return ip;
    }

    private byte[] BuildIpv6()
    {
        byte upper = TransportProtocol(isV6: true);
        var l4 = BuildTransport(upper, isV6: true);
        int extLength = 0;
        foreach (var (_, body) in _ipv6Extensions) extLength += ExtensionLength(body);
        int payloadLength = extLength + l4.Length;
        if (payloadLength > 0xFFFF) throw new InvalidOperationException($"IPv6 payload length {payloadLength} exceeds 65535");
        var ip = new byte[40 + payloadLength];
        var h = ip.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(h, 0x6000_0000u);
        BinaryPrimitives.WriteUInt16BigEndian(h.Slice(4), (ushort)payloadLength);
        h[6] = _ipv6Extensions.Count > 0 ? _ipv6Extensions[0].Type : upper;
        h[7] = _ttl;
        _ipSrc.WriteV6(h.Slice(8));
        _ipDst.WriteV6(h.Slice(24));
        int at = 40;
        for (int i = 0; i < _ipv6Extensions.Count; i++)
        {
            var (_, body) = _ipv6Extensions[i];
            int length = ExtensionLength(body);
            h[at] = i + 1 < _ipv6Extensions.Count ? _ipv6Extensions[i + 1].Type : upper;
            // The fragment header's second byte is reserved; the others carry length in 8-octet units minus one.
            h[at + 1] = _ipv6Extensions[i].Type == IpProto.Fragment ? (byte)0 : (byte)(length / 8 - 1);
            body.CopyTo(h.Slice(at + 2));
            at += length;
        }
        l4.CopyTo(h.Slice(at));
        return ip;
    }

    private static int ExtensionLength(byte[] body) => (2 + body.Length + 7) & ~7;

    private byte[] BuildArp()
    {
        var arp = new byte[28];
        var a = arp.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(a, 1);
        BinaryPrimitives.WriteUInt16BigEndian(a.Slice(2), EtherTypes.Ipv4);
        a[4] = 6;
        a[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(a.Slice(6), _arpOp);
        _arpSenderMac.Write(a.Slice(8));
        _arpSenderIp.WriteV4(a.Slice(14));
        _arpTargetMac.Write(a.Slice(18));
        _arpTargetIp.WriteV4(a.Slice(24));
        return arp;
    }

    private byte TransportProtocol(bool isV6)
    {
        if (_protocolOverride is int p) return (byte)p;
        return _transport switch
        {
            Transport.Tcp => IpProto.Tcp,
            Transport.Udp => IpProto.Udp,
            Transport.Icmp => isV6 ? IpProto.IcmpV6 : IpProto.Icmp,
            Transport.None => isV6 ? IpProto.NoNext : DefaultRawProtocol,
            _ => DefaultRawProtocol,
        };
    }

    private byte[] BuildTransport(byte protocol, bool isV6)
    {
        switch (_transport)
        {
            case Transport.Tcp:
            {
                int optionsLength = (_tcpOptions.Length + 3) & ~3;
                int headerLength = 20 + optionsLength;
                var seg = new byte[headerLength + _l4Payload.Length];
                var t = seg.AsSpan();
                BinaryPrimitives.WriteUInt16BigEndian(t, _srcPort);
                BinaryPrimitives.WriteUInt16BigEndian(t.Slice(2), _dstPort);
                BinaryPrimitives.WriteUInt32BigEndian(t.Slice(4), _tcpSeq);
                BinaryPrimitives.WriteUInt32BigEndian(t.Slice(8), _tcpAck);
                t[12] = (byte)(((headerLength / 4) << 4) | (((ushort)_tcpFlags >> 8) & 1));
                t[13] = (byte)_tcpFlags;
                BinaryPrimitives.WriteUInt16BigEndian(t.Slice(14), _tcpWindow);
                _tcpOptions.CopyTo(t.Slice(20));
                _l4Payload.CopyTo(t.Slice(headerLength));
                BinaryPrimitives.WriteUInt16BigEndian(t.Slice(16), TransportChecksum(protocol, isV6, seg));
                return seg;
            }
            case Transport.Udp:
            {
                var seg = new byte[8 + _l4Payload.Length];
                if (seg.Length > 0xFFFF) throw new InvalidOperationException("UDP datagram exceeds 65535 bytes");
                var u = seg.AsSpan();
                BinaryPrimitives.WriteUInt16BigEndian(u, _srcPort);
                BinaryPrimitives.WriteUInt16BigEndian(u.Slice(2), _dstPort);
                BinaryPrimitives.WriteUInt16BigEndian(u.Slice(4), (ushort)seg.Length);
                _l4Payload.CopyTo(u.Slice(8));
                ushort sum = TransportChecksum(protocol, isV6, seg);
                // 0 means "no checksum" in UDP, so a computed zero is sent as all ones.
                BinaryPrimitives.WriteUInt16BigEndian(u.Slice(6), sum == 0 ? (ushort)0xFFFF : sum);
                return seg;
            }
            case Transport.Icmp:
            {
                var msg = new byte[4 + _icmpRest.Length];
                msg[0] = _icmpType;
                msg[1] = _icmpCode;
                _icmpRest.CopyTo(msg.AsSpan(4));
                // ICMPv4 has no pseudo-header; ICMPv6 does (RFC 4443 §2.3).
                ushort sum = isV6 ? InternetChecksum.ComputeV6(_ipSrc, _ipDst, protocol, msg) : InternetChecksum.Compute(msg);
                BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(2), sum);
                return msg;
            }
            case Transport.Payload:
                return _l4Payload;
            default:
                return [];
        }
    }

    private ushort TransportChecksum(byte protocol, bool isV6, ReadOnlySpan<byte> segment) =>
        isV6 ? InternetChecksum.ComputeV6(_ipSrc, _ipDst, protocol, segment) : InternetChecksum.ComputeV4(_ipSrc, _ipDst, protocol, segment);

    private void SetNetwork(Network network, ushort etherType)
    {
        if (_network != Network.None) throw new InvalidOperationException($"frame already has a {_network} layer");
        _network = network;
        _etherType = etherType;
    }

    private void SetTransport(Transport transport)
    {
        if (_transport != Transport.None) throw new InvalidOperationException($"frame already has a {_transport} layer");
        _transport = transport;
    }

    private void RequireIp()
    {
        if (_network is not (Network.Ipv4 or Network.Ipv6)) throw new InvalidOperationException("add Ipv4 or Ipv6 before a transport layer");
    }
}
