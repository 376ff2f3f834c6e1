using Bridge.Packets;

namespace Bridge.Pipeline.Flows;

/// <summary>TCP connection state as the INSPECT stage tracks it.</summary>
public enum TcpState : byte
{
    None,
    SynSent,
    SynReceived,
    Established,
    /// <summary>One side has sent FIN.</summary>
    HalfClosed,
    /// <summary>Both sides have sent FIN; waiting for the last ACK.</summary>
    Closing,
    Closed,
}

/// <summary>What the external inspector (Snort) decided for the whole flow.</summary>
public enum FlowVerdict : byte
{
    /// <summary>Every packet goes to the inspector.</summary>
    Inspect,
    /// <summary>allow-flow: the rest of the flow bypasses the inspector.</summary>
    Allowed,
    /// <summary>block-flow: the rest of the flow is dropped.</summary>
    Blocked,
}

/// <summary>One direction's TCP sequence tracking.</summary>
public struct TcpPeer
{
    public uint Isn;
    /// <summary>Highest sequence number sent plus one (seq + len, SYN/FIN counted).</summary>
    public uint NextSeq;
    /// <summary>Last window advertised, already scaled.</summary>
    public uint Window;
    public sbyte WindowScale;
    public bool SawSyn;
    public bool SawFin;
    public uint FinSeq;
    public bool FinAcked;
    public bool SentData;
}

/// <summary>
/// A connection entry. Lives in the worker's preallocated array and is reused after expiry, so
/// it holds values only. "Initiator" sent the first packet; "responder" is the other end.
/// </summary>
public struct Flow
{
    public FlowKey Key;
    /// <summary>True when the initiator is end A of the canonical key.</summary>
    public bool InitiatorIsA;
    public bool InUse;
    public uint Id;
    public int InitiatorIf;
    public int ResponderIf;
    public long CreatedNs;
    public long LastNs;
    public long Bytes;
    public long Packets;
    public int AceIndex;
    public bool Trusted;
    public FlowVerdict Verdict;
    public bool SnortInspected;
    /// <summary>Counted in <see cref="FlowTable.Embryonic"/>: a TCP connection whose handshake has not finished.</summary>
    public bool Embryonic;

    // TCP
    public TcpState Tcp;
    public TcpPeer Initiator;
    public TcpPeer Responder;

    // ICMP echo: sequence numbers of requests not yet answered, in a small ring.
    public ushort EchoId;
    public byte EchoPending;
    public EchoRing Echo;

    /// <summary>Chain link inside the hash bucket.</summary>
    internal int Next;

    public readonly IpAddr InitiatorAddr => InitiatorIsA ? Key.A : Key.B;
    public readonly IpAddr ResponderAddr => InitiatorIsA ? Key.B : Key.A;
    public readonly ushort InitiatorPort => InitiatorIsA ? Key.PortA : Key.PortB;
    public readonly ushort ResponderPort => InitiatorIsA ? Key.PortB : Key.PortA;
}

/// <summary>Up to eight outstanding ICMP echo sequence numbers, inline in the flow (no allocation).</summary>
[System.Runtime.CompilerServices.InlineArray(8)]
public struct EchoRing
{
    private ushort _element;
}
