using Bridge.Packets;
using Bridge.Pipeline.Flows;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>
/// Builds the frames of a packet-tracer request with <see cref="FrameBuilder"/>: the traced packet
/// itself and, for <c>state established</c>, the packets that open its connection.
/// </summary>
internal sealed class SyntheticPacket(TracerRequest request)
{
    /// <summary>Source MAC of simulated packets: locally administered, so it never names a real NIC.</summary>
    public static readonly MacAddr SourceMac = new(0x0200_0000_0001UL);

    /// <summary>Destination MAC when no <c>dmac</c> is given: a unicast address no host has, so the MAC lookup decides as it does for an unlearned host.</summary>
    public static readonly MacAddr UnknownMac = new(0x0200_0000_0002UL);

    /// <summary>Initial sequence numbers of a simulated handshake.</summary>
    public const uint ClientIsn = 0x1000_0000;
    public const uint ServerIsn = 0x2000_0000;

    /// <summary>Sequence number of simulated echo messages.</summary>
    public const ushort EchoSeq = 1;

    public TracerRequest Request => request;

    public MacAddr DestinationMac => request.DestinationMac ?? UnknownMac;

    public bool IsEcho => request.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6 && (IsEchoRequest || IsEchoReply);

    public bool IsEchoRequest => request.IcmpType == (request.IsIpv6 ? 128 : 8);

    public bool IsEchoReply => request.IcmpType == (request.IsIpv6 ? 129 : 0);

    /// <summary>TCP flags of the traced packet: as typed, else SYN for a new connection and PSH|ACK on an established one.</summary>
    public TcpFlags Flags(bool established) =>
        request.TcpFlags ?? (established ? TcpFlags.Psh | TcpFlags.Ack : TcpFlags.Syn);

    /// <summary>The traced packet, arriving with outer VLAN <paramref name="vlan"/> (0 = untagged).</summary>
    public byte[] Build(ushort vlan, uint seq, uint ack, bool established) =>
        Packet(vlan, SourceMac, DestinationMac, request.Source, request.Destination, request.SourcePort, request.DestinationPort,
            request.IcmpType, Flags(established), seq, ack, request.Payload);

    /// <summary>Sequence numbers for the traced packet on a live TCP connection, so that INSPECT judges the packet and not a guessed number.</summary>
    public static (uint Seq, uint Ack) SequenceOn(in Flow flow, TracerRequest request)
    {
        bool fromInitiator = flow.InitiatorAddr == request.Source && flow.InitiatorPort == request.SourcePort;
        var sender = fromInitiator ? flow.Initiator : flow.Responder;
        var receiver = fromInitiator ? flow.Responder : flow.Initiator;
        return (sender.NextSeq, receiver.NextSeq);
    }

    /// <summary>
    /// The packets that open the traced packet's connection, in order, each with the side it comes
    /// from (true = the traced packet's ingress side): SYN, SYN-ACK, ACK for TCP; the echo request
    /// that a reply answers; otherwise one packet like the traced one.
    /// </summary>
    public IEnumerable<(bool FromIngress, Func<ushort, byte[]> Frame)> Opening()
    {
        var r = request;
        var srcMac = SourceMac;
        var dstMac = DestinationMac;
        if (r.Protocol == IpProtocol.Tcp)
        {
            yield return (true, v => Packet(v, srcMac, dstMac, r.Source, r.Destination, r.SourcePort, r.DestinationPort, 0, TcpFlags.Syn, ClientIsn, 0, []));
            yield return (false, v => Packet(v, dstMac, srcMac, r.Destination, r.Source, r.DestinationPort, r.SourcePort, 0, TcpFlags.Syn | TcpFlags.Ack, ServerIsn, ClientIsn + 1, []));
            yield return (true, v => Packet(v, srcMac, dstMac, r.Source, r.Destination, r.SourcePort, r.DestinationPort, 0, TcpFlags.Ack, ClientIsn + 1, ServerIsn + 1, []));
        }
        else if (IsEchoReply)
        {
            byte request = (byte)(r.IsIpv6 ? 128 : 8);
            yield return (false, v => Packet(v, dstMac, srcMac, r.Destination, r.Source, 0, 0, request, TcpFlags.None, 0, 0, []));
        }
        else
        {
            yield return (true, v => Packet(v, srcMac, dstMac, r.Source, r.Destination, r.SourcePort, r.DestinationPort, r.IcmpType, TcpFlags.None, 0, 0, []));
        }
    }

    private byte[] Packet(ushort vlan, MacAddr srcMac, MacAddr dstMac, IpAddr src, IpAddr dst, ushort sport, ushort dport, byte icmpType, TcpFlags flags, uint seq, uint ack, byte[] payload)
    {
        var b = FrameBuilder.Ethernet(srcMac, dstMac);
        if (vlan != 0) b.Vlan(vlan);
        if (src.IsV4) b.Ipv4(src, dst, ttl: 64);
        else b.Ipv6(src, dst, hopLimit: 64);
        switch (request.Protocol)
        {
            case IpProtocol.Tcp:
                b.Tcp(sport, dport, flags, seq, ack, payload: payload);
                break;
            case IpProtocol.Udp:
                b.Udp(sport, dport, payload);
                break;
            case IpProtocol.Icmp or IpProtocol.IcmpV6:
                b.Icmp(icmpType, request.IcmpCode, IcmpRest(icmpType, payload));
                break;
            default:
                b.IpProtocol(request.Protocol).Payload(payload);
                break;
        }
        return b.Build();
    }

    /// <summary>Identifier and sequence (echo) or the unused word (other types), then the payload.</summary>
    private byte[] IcmpRest(byte icmpType, byte[] payload)
    {
        var rest = new byte[4 + payload.Length];
        if (icmpType is 0 or 8 or 128 or 129)
        {
            rest[0] = (byte)(request.IcmpId >> 8);
            rest[1] = (byte)request.IcmpId;
            rest[3] = (byte)EchoSeq;
        }
        payload.CopyTo(rest, 4);
        return rest;
    }
}
