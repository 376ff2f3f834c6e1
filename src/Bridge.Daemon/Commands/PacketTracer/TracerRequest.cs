using Bridge.Packets;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>How a trace is printed: FTD text, <c>xml</c> or <c>json</c>.</summary>
public enum TraceFormat
{
    Text,
    Xml,
    Json,
}

/// <summary>
/// One synthetic packet-tracer request, as typed: <c>packet-tracer input IFNAME [vlan-id V]
/// icmp|tcp|udp|rawip ...</c> with the Bridge extensions (payload, tcp-flags, state established).
/// </summary>
public sealed record TracerRequest
{
    public required string Interface { get; init; }

    /// <summary>The VLAN the packet arrives on; null means the interface's own VLAN.</summary>
    public ushort? VlanId { get; init; }

    /// <summary>IP protocol number (1/58 for icmp, 6, 17, or the rawip protocol).</summary>
    public required byte Protocol { get; init; }

    /// <summary>The keyword typed: icmp, tcp, udp or rawip.</summary>
    public required string ProtocolWord { get; init; }

    public required IpAddr Source { get; init; }

    public required IpAddr Destination { get; init; }

    public ushort SourcePort { get; init; }

    public ushort DestinationPort { get; init; }

    public byte IcmpType { get; init; }

    public byte IcmpCode { get; init; }

    /// <summary>ICMP identifier (echo request/reply); FTD's FMC form calls it "ICMP ID".</summary>
    public ushort IcmpId { get; init; }

    /// <summary>Destination MAC (<c>dmac</c>); null lets the bridge's MAC table decide.</summary>
    public MacAddr? DestinationMac { get; init; }

    /// <summary>Explicit TCP flags (<c>tcp-flags</c>); null means SYN, or ACK|PSH on an established flow.</summary>
    public TcpFlags? TcpFlags { get; init; }

    /// <summary>Payload bytes (<c>payload "TEXT"</c> or <c>payload-hex HEX</c>).</summary>
    public byte[] Payload { get; init; } = [];

    /// <summary>Simulate the packet on an existing connection (<c>state established</c>).</summary>
    public bool Established { get; init; }

    public bool Detailed { get; init; }

    public TraceFormat Format { get; init; }

    public bool IsIpv6 => !Source.IsV4;
}
