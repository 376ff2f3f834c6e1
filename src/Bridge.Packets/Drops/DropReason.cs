namespace Bridge.Packets;

/// <summary>
/// Every reason a frame or a flow can be dropped, named after FTD's <c>show asp drop</c> keywords.
/// The enum value is the index into <see cref="DropCatalogue"/>; <see cref="None"/> means "not dropped".
/// Keep the order stable: counters are plain arrays indexed by this value.
/// </summary>
public enum DropReason : byte
{
    None = 0,

    // L2
    L2Acl,
    L2SameLanPort,
    DstL2LookupFail,
    HostMovePkt,
    InvalidEthertype,
    InvalidEncap,
    UnexpectedPacket,

    // L3 sanity
    InvalidIpHeader,
    InvalidIpLength,
    UnsupportedIpVersion,
    InvalidIpOption,
    TtlExceeded,
    SpSecurityFailed,
    SecurityFailed,
    FragmentReassemblyFailed,

    // L4 sanity
    InvalidTcpHdrLength,
    InvalidUdpLength,
    BadTcpCksum,
    BadTcpFlags,
    TcpReservedSet,
    TcpBadOptionList,

    // TCP state
    TcpNotSyn,
    Tcp3whsFailed,
    TcpRstfinOoo,
    TcpSeqPastWin,
    TcpInvalidAck,
    TcpSynackOoo,
    TcpSynOoo,
    TcpSynData,
    TcpSynackData,
    TcpRstSynInWin,
    TcpDataPastFin,

    // Policy
    AclDrop,
    ConnLimit,
    TcpConnLimit,
    UnableToCreateFlow,

    // Inspection
    InspectIcmpSeqNumNotMatched,
    InspectIcmpErrorNoExistingConn,
    InspectIcmpBadCode,
    InspectFail,

    // Snort hand-off
    SnortDrop,
    Shunned,

    // Data path resources and state
    InterfaceDown,
    FlowExpired,
    FlowBeingFreed,
    DispatchQueueLimit,
    RateExceeded,

    // Engine failure policy (snort fail-close) and internal faults; appended to keep the order stable.
    SnortDown,
    SnortBusyNotFailOpen,
    InternalError,
    // Appended after the sections above so that existing values keep their index.
    /// <summary>An L3 packet longer than the ingress nameif's MTU (a giant that got past the NIC).</summary>
    OverMtu,

    /// <summary>Number of values; not a reason.</summary>
    Count,
}

/// <summary>Which section of <c>show asp drop</c> a counter is printed in.</summary>
public enum DropSection : byte
{
    Frame,
    Flow,
}
