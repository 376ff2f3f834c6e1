using Bridge.Packets;

namespace Bridge.Pipeline.Acl;

public enum AceAction
{
    Permit,
    Deny,
    /// <summary>FTD prefilter fastpath: allowed without Snort inspection (<c>advanced trust</c>).</summary>
    Trust,
}

/// <summary>The L3/L4 facts an ACE looks at; filled by the pipeline from the decoded frame.</summary>
public struct AclKey
{
    public byte Protocol;
    public IpAddr Src;
    public IpAddr Dst;
    public ushort SrcPort;
    public ushort DstPort;
    public byte IcmpType;
    public byte IcmpCode;
    /// <summary>SrcPort/DstPort are valid (TCP/UDP/SCTP first fragment or unfragmented).</summary>
    public bool HasPorts;
    /// <summary>IcmpType/IcmpCode are valid.</summary>
    public bool HasIcmp;
}

public enum EtherVerdict
{
    /// <summary>ARP, IPv4, IPv6 or a BPDU with no explicit ethertype ACE about it.</summary>
    ImplicitPermit,
    Permit,
    Deny,
    /// <summary>Non-IP frame no ethertype ACE permits: FTD drops it as <c>l2_acl</c>.</summary>
    ImplicitDeny,
}

/// <summary>
/// What traces and <c>show access-list</c> need to know about one compiled (leaf) ACE.
/// <see cref="AceLine"/> is the config line as typed (canonical), the one a trace prints under
/// <c>Config:</c>; for a child of an object-group ACE, <see cref="ExpandedLine"/> is the child's own
/// text and <see cref="AceLine"/> the parent's.
/// </summary>
public sealed record AceInfo(
    int Index,
    string ListName,
    AceAction Action,
    long RuleId,
    string AccessGroupLine,
    string AceLine,
    IReadOnlyList<string> Remarks,
    int Line,
    bool Inactive)
{
    /// <summary>The expanded child text (<c>access-list X advanced permit tcp host ...</c>), or null for a plain ACE.</summary>
    public string? ExpandedLine { get; init; }

    /// <summary>True for an ethertype ACE.</summary>
    public bool IsEtherType { get; init; }
}
