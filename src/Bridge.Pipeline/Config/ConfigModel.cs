using Bridge.Packets;

namespace Bridge.Pipeline.Config;

/// <summary>One <c>interface</c> block. <paramref name="Vlan"/> 0 means untagged.</summary>
public sealed record InterfaceConfig(string Device, string? SubInterface, string? NameIf, ushort Vlan, int BridgeGroup, bool Shutdown, int Mtu,
    PortDriver Driver = PortDriver.AfPacket, string? Description = null)
{
    public const int DefaultMtu = 1500;

    /// <summary>The name as typed after <c>interface</c>: <c>eth1</c> or <c>eth1.1577</c>.</summary>
    public string Name => SubInterface is null ? Device : Device + "." + SubInterface;
}

/// <summary>How the daemon reads and writes a device (<c>port-driver</c>, not an FTD command: FTD owns its NICs).</summary>
public enum PortDriver
{
    /// <summary>AF_PACKET ring with fanout: the fast path.</summary>
    AfPacket,
    /// <summary>libpcap: portable, slower.</summary>
    Pcap,
}

public sealed record TimeoutConfig(TimeSpan Conn, TimeSpan Udp, TimeSpan Icmp, TimeSpan TcpHalfClosed)
{
    /// <summary>ASA defaults: conn 1:00:00, udp 0:02:00, icmp 0:00:02, tcp-half-closed 0:10:00.</summary>
    public static TimeoutConfig Default { get; } =
        new(TimeSpan.FromHours(1), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));
}

/// <summary><c>access-group LIST global</c> (<paramref name="NameIf"/> null) or <c>access-group LIST in interface NAMEIF</c>.</summary>
public sealed record AccessGroupConfig(string ListName, string? NameIf)
{
    public bool IsGlobal => NameIf is null;

    public string Text => IsGlobal ? $"access-group {ListName} global" : $"access-group {ListName} in interface {NameIf}";
}

public enum AddressKind
{
    Any,
    Any4,
    Any6,
    Host,
    /// <summary>Address plus prefix length (v4 written with a netmask, v6 as A/len).</summary>
    Subnet,
    Range,
    Object,
    ObjectGroup,
}

/// <summary>
/// An address operand: in an ACE (any, host, subnet, object, object-group), an object definition
/// (host, subnet, range) or an object-group member. <see cref="PrefixLength"/> counts bits of the
/// address's own family (0-32 for IPv4, 0-128 for IPv6).
/// </summary>
public sealed record AddressSpec(AddressKind Kind, IpAddr Address = default, IpAddr Last = default, int PrefixLength = 0, string? Name = null)
{
    public static AddressSpec Any { get; } = new(AddressKind.Any);
    public static AddressSpec Any4 { get; } = new(AddressKind.Any4);
    public static AddressSpec Any6 { get; } = new(AddressKind.Any6);

    public static AddressSpec Host(IpAddr a) => new(AddressKind.Host, a);

    public static AddressSpec Subnet(IpAddr a, int prefix) => new(AddressKind.Subnet, a, default, prefix);

    public static AddressSpec Range(IpAddr first, IpAddr last) => new(AddressKind.Range, first, last);

    public static AddressSpec ObjectRef(string name) => new(AddressKind.Object, Name: name);

    public static AddressSpec GroupRef(string name) => new(AddressKind.ObjectGroup, Name: name);
}

public enum PortOperator
{
    Eq,
    Neq,
    Lt,
    Gt,
    Range,
}

/// <summary>A port operator; <see cref="Last"/> is used by <c>range</c> only.</summary>
public readonly record struct PortMatch(PortOperator Op, ushort First, ushort Last = 0)
{
    /// <summary>The inclusive range this operator accepts, and whether it is negated (neq).</summary>
    public (ushort Lo, ushort Hi, bool Negate) Bounds => Op switch
    {
        PortOperator.Eq => (First, First, false),
        PortOperator.Neq => (First, First, true),
        PortOperator.Lt => (0, (ushort)(First - 1), false),
        PortOperator.Gt => ((ushort)(First + 1), ushort.MaxValue, false),
        _ => (First, Last, false),
    };
}

/// <summary>
/// One service: a protocol (-1 = any IP protocol), optional source/destination port operators and,
/// for ICMP, an optional type and code (-1 = any).
/// </summary>
public sealed record ServiceSpec(int Protocol, PortMatch? Source = null, PortMatch? Destination = null, int IcmpType = -1, int IcmpCode = -1);

public sealed record NetworkObject(string Name, AddressSpec Value, string? Description);

public sealed record ServiceObject(string Name, ServiceSpec Service, string? Description);

public sealed class NetworkGroup(string name, string? description, IReadOnlyList<AddressSpec> members)
{
    public string Name { get; } = name;
    public string? Description { get; } = description;
    /// <summary>Host, Subnet, Object (network-object object O) or ObjectGroup (group-object G).</summary>
    public IReadOnlyList<AddressSpec> Members { get; } = members;
}

/// <summary>Protocol keyword of a port group (<c>object-group service NAME tcp|udp|tcp-udp</c>).</summary>
public enum PortGroupProtocol
{
    Tcp,
    Udp,
    TcpUdp,
}

public enum ServiceMemberKind
{
    /// <summary><c>port-object eq P | range A B</c> (port groups only).</summary>
    Port,
    /// <summary><c>service-object PROTO ...</c> (service groups only).</summary>
    Service,
    /// <summary><c>service-object object O</c>.</summary>
    Object,
    /// <summary><c>group-object G</c>.</summary>
    Group,
}

public sealed record ServiceGroupMember(ServiceMemberKind Kind, PortMatch Port = default, ServiceSpec? Service = null, string? Name = null);

public sealed class ServiceGroup(string name, PortGroupProtocol? protocol, string? description, IReadOnlyList<ServiceGroupMember> members)
{
    public string Name { get; } = name;
    /// <summary>Set for port groups (<c>port-object</c> members), null for protocol-less service groups.</summary>
    public PortGroupProtocol? Protocol { get; } = protocol;
    public string? Description { get; } = description;
    public IReadOnlyList<ServiceGroupMember> Members { get; } = members;
}

public enum ProtocolKind
{
    /// <summary><c>ip</c>: every IP protocol.</summary>
    Ip,
    Number,
    Object,
    ObjectGroup,
}

public sealed record ProtocolSpec(ProtocolKind Kind, byte Number = 0, string? Name = null)
{
    public static ProtocolSpec Ip { get; } = new(ProtocolKind.Ip);
}

/// <summary>The port operand of an ACE: an operator, or a port group (<c>object-group G</c>).</summary>
public sealed record PortSpec(PortMatch? Match, string? GroupName)
{
    public static PortSpec Of(PortMatch m) => new(m, null);

    public static PortSpec Group(string name) => new(null, name);
}

public enum EventLogMode
{
    None,
    FlowStart,
    FlowEnd,
    Both,
}

/// <summary><c>log [LEVEL] [interval S]</c>; ASA defaults are informational (6) and 300 s.</summary>
public sealed record LogOption(int Level = LogOption.DefaultLevel, int Interval = LogOption.DefaultInterval)
{
    public const int DefaultLevel = 6;
    public const int DefaultInterval = 300;
}

public enum EtherTypeKind
{
    Any,
    Bpdu,
    Ipx,
    MplsUnicast,
    MplsMulticast,
    Isis,
    Number,
}

public abstract record AccessListLine;

public sealed record RemarkLine(string Text) : AccessListLine;

public sealed record EtherTypeAce(Acl.AceAction Action, EtherTypeKind Kind, ushort EtherType = 0) : AccessListLine;

public sealed record ExtendedAce(
    bool Advanced,
    Acl.AceAction Action,
    ProtocolSpec Protocol,
    AddressSpec Source,
    PortSpec? SourcePort,
    AddressSpec Destination,
    PortSpec? DestinationPort,
    int IcmpType,
    int IcmpCode,
    long RuleId,
    EventLogMode EventLog,
    LogOption? Log,
    bool Inactive) : AccessListLine
{
    /// <summary>True when the ACE names an object or object-group and so expands into child ACEs.</summary>
    public bool UsesObjects =>
        Protocol.Kind is ProtocolKind.Object or ProtocolKind.ObjectGroup
        || Source.Kind is AddressKind.Object or AddressKind.ObjectGroup
        || Destination.Kind is AddressKind.Object or AddressKind.ObjectGroup
        || SourcePort?.GroupName is not null
        || DestinationPort?.GroupName is not null;
}

public enum AccessListKind
{
    /// <summary>Extended/advanced ACEs (or remarks only).</summary>
    Extended,
    EtherType,
}

public sealed class AccessListConfig(string name, AccessListKind kind, IReadOnlyList<AccessListLine> lines)
{
    public string Name { get; } = name;
    public AccessListKind Kind { get; } = kind;
    public IReadOnlyList<AccessListLine> Lines { get; } = lines;
}

/// <summary>The address and port of the Prometheus endpoint (<c>metrics listen 127.0.0.1:9477</c>, <c>[::1]:9477</c>).</summary>
public sealed record MetricsEndpoint(System.Net.IPAddress Address, int Port)
{
    public override string ToString() =>
        Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    public static MetricsEndpoint? TryParse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0) return null;
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':')) return null;
        if (!System.Net.IPAddress.TryParse(host, out var address)) return null;
        if (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535) return null;
        return new MetricsEndpoint(address, port);
    }
}

/// <summary><c>snort mode inline</c> (verdicts apply) or <c>snort mode inline-tap</c> (everything alerts, nothing drops).</summary>
public enum SnortMode
{
    Inline,
    InlineTap,
}

/// <summary>
/// <c>snort fail-open</c> / <c>snort fail-close</c>: what happens to a packet that should be
/// inspected while the engine cannot (down: no rule set loaded, or it failed on this packet) or is
/// overloaded (busy: the worker's receive ring is backed up). Fail-close is the default, as on an
/// FTD inline set without "Snort Fail Open": an inspection box that silently stops inspecting is a
/// hole nobody sees, a drop shows in <c>show asp drop</c>.
/// </summary>
public enum SnortFailPolicy
{
    FailClose,
    FailOpen,
}
