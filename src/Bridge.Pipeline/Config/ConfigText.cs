using System.Globalization;
using System.Text;
using Bridge.Packets;
using Bridge.Pipeline.Acl;

namespace Bridge.Pipeline.Config;

/// <summary>
/// Canonical ASA text for every config element. The parser accepts exactly what this prints, which
/// is what makes <c>Parse(cfg.ToText())</c> a round trip; the access-list compiler uses the same
/// functions for the lines it shows in traces and <c>show access-list</c>.
/// </summary>
public static class ConfigText
{
    public static string DriverKeyword(PortDriver d) => d == PortDriver.Pcap ? "pcap" : "afpacket";

    public static string V4Mask(int prefix)
    {
        uint m = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        return IpAddr.FromV4(m).ToString();
    }

    public static string Address(AddressSpec a) => a.Kind switch
    {
        AddressKind.Any => "any",
        AddressKind.Any4 => "any4",
        AddressKind.Any6 => "any6",
        AddressKind.Host => "host " + a.Address,
        AddressKind.Subnet => Subnet(a),
        AddressKind.Range => $"range {a.Address} {a.Last}",
        AddressKind.Object => "object " + a.Name,
        _ => "object-group " + a.Name,
    };

    private static string Subnet(AddressSpec a) =>
        a.Address.IsV4 ? $"{a.Address} {V4Mask(a.PrefixLength)}" : $"{a.Address}/{a.PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Body line of <c>object network</c>: <c>host A</c>, <c>subnet A M</c>, <c>range A B</c>.</summary>
    public static string NetworkObjectBody(AddressSpec a) => a.Kind switch
    {
        AddressKind.Host => "host " + a.Address,
        AddressKind.Subnet => "subnet " + Subnet(a),
        _ => $"range {a.Address} {a.Last}",
    };

    public static string NetworkGroupMember(AddressSpec a) => a.Kind switch
    {
        AddressKind.Host => "network-object host " + a.Address,
        AddressKind.Subnet => "network-object " + Subnet(a),
        AddressKind.Object => "network-object object " + a.Name,
        _ => "group-object " + a.Name,
    };

    public static string Port(PortMatch p, int protocol)
    {
        string first = AsaNames.FormatPort(p.First, protocol);
        return p.Op switch
        {
            PortOperator.Eq => "eq " + first,
            PortOperator.Neq => "neq " + first,
            PortOperator.Lt => "lt " + first,
            PortOperator.Gt => "gt " + first,
            _ => $"range {first} {AsaNames.FormatPort(p.Last, protocol)}",
        };
    }

    public static int PortGroupProtocolNumber(PortGroupProtocol p) => p switch
    {
        PortGroupProtocol.Tcp => IpProtocol.Tcp,
        PortGroupProtocol.Udp => IpProtocol.Udp,
        _ => -1,
    };

    public static string PortGroupKeyword(PortGroupProtocol p) => p switch
    {
        PortGroupProtocol.Tcp => "tcp",
        PortGroupProtocol.Udp => "udp",
        _ => "tcp-udp",
    };

    public static string Protocol(int protocol) => protocol < 0 ? "ip" : AsaNames.FormatProtocol((byte)protocol);

    /// <summary><c>tcp source eq 1024 destination eq www</c>, <c>icmp echo</c>, <c>ip</c>.</summary>
    public static string Service(ServiceSpec s)
    {
        var sb = new StringBuilder(Protocol(s.Protocol));
        if (s.Source is { } src)
        {
            sb.Append(" source ").Append(Port(src, s.Protocol));
        }
        if (s.Destination is { } dst)
        {
            sb.Append(" destination ").Append(Port(dst, s.Protocol));
        }
        AppendIcmp(sb, s.Protocol, s.IcmpType, s.IcmpCode);
        return sb.ToString();
    }

    public static string ServiceGroupMember(ServiceGroupMember m, PortGroupProtocol? groupProtocol) => m.Kind switch
    {
        ServiceMemberKind.Port => "port-object " + Port(m.Port, PortGroupProtocolNumber(groupProtocol ?? PortGroupProtocol.TcpUdp)),
        ServiceMemberKind.Service => "service-object " + Service(m.Service!),
        ServiceMemberKind.Object => "service-object object " + m.Name,
        _ => "group-object " + m.Name,
    };

    public static string Action(AceAction a) => a switch
    {
        AceAction.Permit => "permit",
        AceAction.Deny => "deny",
        _ => "trust",
    };

    public static string EtherType(EtherTypeKind kind, ushort value) => kind switch
    {
        EtherTypeKind.Any => "any",
        EtherTypeKind.Bpdu => "bpdu",
        EtherTypeKind.Ipx => "ipx",
        EtherTypeKind.MplsUnicast => "mpls-unicast",
        EtherTypeKind.MplsMulticast => "mpls-multicast",
        EtherTypeKind.Isis => "isis",
        _ => "0x" + value.ToString("x4", CultureInfo.InvariantCulture),
    };

    /// <summary>One access-list line as <c>show running-config</c> prints it.</summary>
    public static string Line(string listName, AccessListLine line) => line switch
    {
        RemarkLine r => $"access-list {listName} remark {r.Text}",
        EtherTypeAce e => $"access-list {listName} ethertype {Action(e.Action)} {EtherType(e.Kind, e.EtherType)}",
        ExtendedAce x => Ace(listName, x),
        _ => throw new ArgumentOutOfRangeException(nameof(line)),
    };

    public static string Ace(string listName, ExtendedAce a)
    {
        int proto = a.Protocol.Kind == ProtocolKind.Number ? a.Protocol.Number : -1;
        var sb = new StringBuilder("access-list ").Append(listName)
            .Append(a.Advanced ? " advanced " : " extended ").Append(Action(a.Action)).Append(' ');
        sb.Append(a.Protocol.Kind switch
        {
            ProtocolKind.Ip => "ip",
            ProtocolKind.Number => AsaNames.FormatProtocol(a.Protocol.Number),
            ProtocolKind.Object => "object " + a.Protocol.Name,
            _ => "object-group " + a.Protocol.Name,
        });
        sb.Append(' ').Append(Address(a.Source));
        AppendPortSpec(sb, a.SourcePort, proto);
        sb.Append(' ').Append(Address(a.Destination));
        AppendPortSpec(sb, a.DestinationPort, proto);
        AppendIcmp(sb, proto, a.IcmpType, a.IcmpCode);
        AppendOptions(sb, a.RuleId, a.EventLog, a.Log, a.Inactive);
        return sb.ToString();
    }

    /// <summary>The text of one expanded child ACE (objects resolved to literals).</summary>
    internal static string ChildAce(string listName, ExtendedAce parent, int protocol, AddressSpec src, PortMatch? sp, AddressSpec dst, PortMatch? dp, int icmpType, int icmpCode)
    {
        var sb = new StringBuilder("access-list ").Append(listName)
            .Append(parent.Advanced ? " advanced " : " extended ").Append(Action(parent.Action)).Append(' ')
            .Append(Protocol(protocol)).Append(' ').Append(Address(src));
        if (sp is { } s)
        {
            sb.Append(' ').Append(Port(s, protocol));
        }
        sb.Append(' ').Append(Address(dst));
        if (dp is { } d)
        {
            sb.Append(' ').Append(Port(d, protocol));
        }
        AppendIcmp(sb, protocol, icmpType, icmpCode);
        AppendOptions(sb, parent.RuleId, parent.EventLog, parent.Log, parent.Inactive);
        return sb.ToString();
    }

    private static void AppendPortSpec(StringBuilder sb, PortSpec? p, int protocol)
    {
        if (p is null)
        {
            return;
        }
        sb.Append(' ');
        if (p.GroupName is not null)
        {
            sb.Append("object-group ").Append(p.GroupName);
        }
        else
        {
            sb.Append(Port(p.Match!.Value, protocol));
        }
    }

    private static void AppendIcmp(StringBuilder sb, int protocol, int type, int code)
    {
        if (type < 0)
        {
            return;
        }
        sb.Append(' ').Append(AsaNames.FormatIcmpType((byte)type, protocol));
        if (code >= 0)
        {
            sb.Append(' ').Append(code.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void AppendOptions(StringBuilder sb, long ruleId, EventLogMode eventLog, LogOption? log, bool inactive)
    {
        if (ruleId != 0)
        {
            sb.Append(" rule-id ").Append(ruleId.ToString(CultureInfo.InvariantCulture));
        }
        if (eventLog != EventLogMode.None)
        {
            sb.Append(" event-log ").Append(eventLog switch
            {
                EventLogMode.FlowStart => "flow-start",
                EventLogMode.FlowEnd => "flow-end",
                _ => "both",
            });
        }
        if (log is not null)
        {
            sb.Append(" log");
            if (log.Level != LogOption.DefaultLevel || log.Interval != LogOption.DefaultInterval)
            {
                sb.Append(' ').Append(AsaNames.FormatLogLevel(log.Level));
                if (log.Interval != LogOption.DefaultInterval)
                {
                    sb.Append(" interval ").Append(log.Interval.ToString(CultureInfo.InvariantCulture));
                }
            }
        }
        if (inactive)
        {
            sb.Append(" inactive");
        }
    }

    /// <summary><c>H:MM:SS</c> as ASA prints timeouts.</summary>
    public static string Duration(TimeSpan t) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}");
}
