using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Events;

public enum ConnEventKind : byte
{
    /// <summary>A connection was created (ASA 302013 TCP, 302015 UDP, 302020 ICMP, 302303 other).</summary>
    Built,
    /// <summary>A connection was removed (302014, 302016, 302021, 302304).</summary>
    Teardown,
    /// <summary>A packet was denied by an access-list (106023).</summary>
    Deny,
}

/// <summary>Why a connection ended, in the words of ASA's 302014 reason field.</summary>
public enum TeardownReason : byte
{
    Unknown,
    TcpFins,
    /// <summary>Reset from the initiator's side.</summary>
    TcpResetI,
    /// <summary>Reset from the responder's side.</summary>
    TcpResetO,
    ConnTimeout,
    SynTimeout,
    FinTimeout,
    /// <summary>Removed by <c>clear conn</c>.</summary>
    Cleared,
    /// <summary>Ended by an inspection verdict (e.g. the rules engine blocked the flow).</summary>
    ClosedByInspection,
    /// <summary>Given up to make room for a new connection while the table was full.</summary>
    Evicted,
}

/// <summary>
/// One connection event, written by a worker into its <see cref="ConnEventRing"/> and turned into
/// a log line by the control plane. A plain value: writing one costs a copy, never an allocation.
/// </summary>
public struct ConnEvent
{
    public ConnEventKind Kind;
    public TeardownReason Reason;
    public long TimeNs;
    /// <summary>The connection (built/teardown) or the denied packet's addresses and ports (deny).</summary>
    public FlowKey Key;
    /// <summary>True when <see cref="FlowKey.A"/> is the initiator (the denied packet's source).</summary>
    public bool InitiatorIsA;
    public uint FlowId;
    public int InitiatorIf;
    public int ResponderIf;
    public long Bytes;
    public long DurationNs;
    /// <summary>Deny: the matched ACE, or -1 for the implicit deny at the end of the list.</summary>
    public int AceIndex;
    public byte IcmpType;
    public byte IcmpCode;

    /// <summary>A built or teardown event for <paramref name="flow"/> at <paramref name="nowNs"/>.</summary>
    public static ConnEvent For(in Flow flow, ConnEventKind kind, long nowNs, TeardownReason reason = TeardownReason.Unknown) => new()
    {
        Kind = kind,
        Reason = reason,
        TimeNs = nowNs,
        Key = flow.Key,
        InitiatorIsA = flow.InitiatorIsA,
        FlowId = flow.Id,
        InitiatorIf = flow.InitiatorIf,
        ResponderIf = flow.ResponderIf,
        Bytes = flow.Bytes,
        DurationNs = Math.Max(0, nowNs - flow.CreatedNs),
    };
}
