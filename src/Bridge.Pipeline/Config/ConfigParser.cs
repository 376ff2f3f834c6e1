using System.Globalization;
using System.Numerics;
using Bridge.Packets;
using Bridge.Pipeline.Acl;

namespace Bridge.Pipeline.Config;

/// <summary>
/// Line-oriented ASA-syntax parser. Every reference (object, group, list, nameif) must be defined
/// on an earlier line, as on ASA, so each line is validated when it is read and an error always
/// points at the token that caused it. The parser builds into private lists and hands out a
/// <see cref="BridgeConfig"/> only at the end: a failing file yields nothing.
/// </summary>
internal sealed partial class ConfigParser
{
    private readonly record struct Token(string Text, int Column);

    private enum Block
    {
        None,
        Interface,
        NetworkObject,
        ServiceObject,
        NetworkGroup,
        ServiceGroup,
        PolicyMap,
    }

    private readonly record struct SourcePos(int Line, int Column, string Raw);

    private sealed class InterfaceDraft(string device, string? sub, SourcePos header)
    {
        public string Device = device;
        public string? Sub = sub;
        public SourcePos Header = header;
        public string? NameIf;
        public SourcePos NameIfPos;
        public ushort Vlan;
        public SourcePos VlanPos;
        public int BridgeGroup;
        public bool Shutdown;
        public int Mtu = InterfaceConfig.DefaultMtu;
        public PortDriver Driver;
        public SourcePos DriverPos;
        public bool DriverSet;
        public string? Description;

        public string Name => Sub is null ? Device : Device + "." + Sub;

        public InterfaceConfig Build() => new(Device, Sub, NameIf, Vlan, BridgeGroup, Shutdown, Mtu, Driver, Description);
    }

    private sealed class ObjectDraft(string name, SourcePos header)
    {
        public string Name = name;
        public SourcePos Header = header;
        public string? Description;
        public AddressSpec? Address;
        public ServiceSpec? Service;
        public PortGroupProtocol? PortProtocol;
        public readonly List<AddressSpec> NetworkMembers = [];
        public readonly List<ServiceGroupMember> ServiceMembers = [];
    }

    private sealed class ListDraft(string name, AccessListKind kind)
    {
        public string Name = name;
        public AccessListKind Kind = kind;
        public bool KindFixed;
        public readonly List<AccessListLine> Lines = [];
    }

    private readonly string _file;
    private int _lineNo;
    private string _raw = "";
    private readonly List<Token> _tokens = [];
    private int _pos;

    private string _hostname = BridgeConfig.DefaultHostname;
    private readonly List<InterfaceDraft> _interfaces = [];
    private readonly Dictionary<string, NetworkObject> _networkObjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceObject> _serviceObjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NetworkGroup> _networkGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceGroup> _serviceGroups = new(StringComparer.Ordinal);
    private readonly List<NetworkObject> _networkObjectOrder = [];
    private readonly List<ServiceObject> _serviceObjectOrder = [];
    private readonly List<NetworkGroup> _networkGroupOrder = [];
    private readonly List<ServiceGroup> _serviceGroupOrder = [];
    private readonly Dictionary<string, ListDraft> _lists = new(StringComparer.Ordinal);
    private readonly List<ListDraft> _listOrder = [];
    private readonly List<AccessGroupConfig> _groups = [];
    private TimeoutConfig _timeouts = TimeoutConfig.Default;
    private int _macAging = BridgeConfig.DefaultMacAgingMinutes;
    private readonly List<string> _snortRules = [];
    private SnortMode _snortMode;
    private SnortFailPolicy _snortFail;
    private MetricsEndpoint? _metrics = MetricsEndpoint.TryParse(BridgeConfig.DefaultMetricsListen);

    private Block _block;
    private InterfaceDraft? _interface;
    private ObjectDraft? _object;

    private ConfigParser(string file) => _file = file;

    public static BridgeConfig Parse(string text, string file)
    {
        var p = new ConfigParser(file);
        p.Run(text);
        return p.Build();
    }

    private void Run(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            _lineNo = i + 1;
            _raw = lines[i].TrimEnd('\r');
            Tokenize();
            if (_tokens.Count == 0 || _tokens[0].Text.StartsWith('!') || _tokens[0].Text.StartsWith(':'))
            {
                continue;
            }
            bool indented = char.IsWhiteSpace(_raw[0]);
            if (indented)
            {
                SubCommand();
            }
            else
            {
                CloseBlock();
                Command();
            }
        }
        CloseBlock();
    }

    private void Tokenize()
    {
        _tokens.Clear();
        _pos = 0;
        int i = 0;
        while (i < _raw.Length)
        {
            while (i < _raw.Length && char.IsWhiteSpace(_raw[i]))
            {
                i++;
            }
            int start = i;
            while (i < _raw.Length && !char.IsWhiteSpace(_raw[i]))
            {
                i++;
            }
            if (i > start)
            {
                _tokens.Add(new Token(_raw[start..i], start + 1));
            }
        }
    }

    // ---------------------------------------------------------------- token cursor

    private bool AtEnd => _pos >= _tokens.Count;

    private Token? Peek(int ahead = 0) => _pos + ahead < _tokens.Count ? _tokens[_pos + ahead] : null;

    private bool PeekIs(string word, int ahead = 0) => Peek(ahead) is { } t && t.Text == word;

    private Token Next(string what)
    {
        if (AtEnd)
        {
            throw FailAt(_raw.TrimEnd().Length + 1, $"missing {what}");
        }
        return _tokens[_pos++];
    }

    private Token Expect(string word)
    {
        var t = Next($"'{word}'");
        if (t.Text != word)
        {
            throw Fail(t, $"expected '{word}', found '{t.Text}'");
        }
        return t;
    }

    private void ExpectEnd()
    {
        if (!AtEnd)
        {
            var t = _tokens[_pos];
            throw Fail(t, $"unexpected '{t.Text}'");
        }
    }

    /// <summary>Everything from the current token to the end of the line, as typed (for remarks and descriptions).</summary>
    private string RestOfLine(string what)
    {
        var t = Next(what);
        _pos = _tokens.Count;
        return _raw[(t.Column - 1)..].TrimEnd();
    }

    private ConfigException Fail(Token t, string reason) => FailAt(t.Column, reason);

    private ConfigException FailAt(int column, string reason) => new(_file, _lineNo, column, reason, _raw);

    private ConfigException FailAt(SourcePos p, string reason) => new(_file, p.Line, p.Column, reason, p.Raw);

    private SourcePos Pos(Token t) => new(_lineNo, t.Column, _raw);

    private int Int(Token t, int min, int max, string what)
    {
        if (!int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
        {
            throw Fail(t, $"{what} must be a number from {min} to {max}, found '{t.Text}'");
        }
        return v;
    }

    private string Name(Token t, string what, int maxLength)
    {
        foreach (char c in t.Text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '+' or '@' or '/'))
            {
                throw Fail(t, $"invalid character '{c}' in {what} '{t.Text}'");
            }
        }
        if (t.Text.Length > maxLength)
        {
            throw Fail(t, $"{what} '{t.Text}' is longer than {maxLength} characters");
        }
        return t.Text;
    }

    // ---------------------------------------------------------------- top level

    private void Command()
    {
        var t = Next("command");
        switch (t.Text)
        {
            case "hostname":
                Hostname();
                break;
            case "interface":
                InterfaceHeader();
                break;
            case "object":
                ObjectHeader();
                break;
            case "object-group":
                ObjectGroupHeader();
                break;
            case "access-list":
                AccessList();
                break;
            case "access-group":
                AccessGroup();
                break;
            case "timeout":
                Timeout();
                break;
            case "snort":
                var st = Next("'rules', 'mode', 'fail-open' or 'fail-close'");
                switch (st.Text)
                {
                    case "rules":
                        // The rest of the line: paths may contain spaces.
                        _snortRules.Add(RestOfLine("rule file or folder"));
                        break;
                    case "mode":
                        var mt2 = Next("'inline' or 'inline-tap'");
                        _snortMode = mt2.Text switch
                        {
                            "inline" => SnortMode.Inline,
                            "inline-tap" => SnortMode.InlineTap,
                            _ => throw Fail(mt2, $"snort mode must be inline or inline-tap, found '{mt2.Text}'"),
                        };
                        ExpectEnd();
                        break;
                    case "fail-open":
                        _snortFail = SnortFailPolicy.FailOpen;
                        ExpectEnd();
                        break;
                    case "fail-close":
                        _snortFail = SnortFailPolicy.FailClose;
                        ExpectEnd();
                        break;
                    default:
                        throw Fail(st, $"unknown snort setting '{st.Text}' (rules, mode, fail-open, fail-close)");
                }
                break;
            case "metrics":
                Expect("listen");
                var mt = Next("ADDRESS:PORT");
                _metrics = MetricsEndpoint.TryParse(mt.Text) ?? throw Fail(mt, $"metrics listen needs ADDRESS:PORT (e.g. 127.0.0.1:9477 or [::1]:9477), found '{mt.Text}'");
                ExpectEnd();
                break;
            case "no" when PeekIs("metrics"):
                Expect("metrics");
                Expect("listen");
                _metrics = null;
                ExpectEnd();
                break;
            case "http":
                Http(negated: false);
                break;
            case "no" when PeekIs("http"):
                Expect("http");
                Http(negated: true);
                break;
            case "logging":
                Logging(negated: false);
                break;
            case "no" when PeekIs("logging"):
                Expect("logging");
                Logging(negated: true);
                break;
            case "policy-map":
                PolicyMapHeader();
                break;
            case "no" when PeekIs("policy-map"):
                Expect("policy-map");
                NoPolicyMap();
                break;
            case "service-policy":
                ServicePolicy(negated: false);
                break;
            case "no" when PeekIs("service-policy"):
                Expect("service-policy");
                ServicePolicy(negated: true);
                break;
            case "username":
                Username();
                break;
            case "no" when PeekIs("username"):
                Expect("username");
                NoUsername();
                break;
            case "mac-address-table":
                Expect("aging-time");
                _macAging = Int(Next("aging time in minutes"), 5, 720, "mac-address-table aging-time");
                ExpectEnd();
                break;
            default:
                throw Fail(t, $"unknown command '{t.Text}'");
        }
    }

    private void Hostname()
    {
        var t = Next("host name");
        var n = t.Text;
        bool ok = n.Length <= 63 && char.IsAsciiLetterOrDigit(n[0]) && char.IsAsciiLetterOrDigit(n[^1]);
        foreach (char c in n)
        {
            ok &= char.IsAsciiLetterOrDigit(c) || c == '-';
        }
        if (!ok)
        {
            throw Fail(t, $"invalid hostname '{n}' (letters, digits and inner hyphens, at most 63)");
        }
        _hostname = n;
        ExpectEnd();
    }

    private void SubCommand()
    {
        var t = Peek()!.Value;
        switch (_block)
        {
            case Block.Interface:
                InterfaceSub();
                break;
            case Block.NetworkObject:
                NetworkObjectSub();
                break;
            case Block.ServiceObject:
                ServiceObjectSub();
                break;
            case Block.NetworkGroup:
                NetworkGroupSub();
                break;
            case Block.ServiceGroup:
                ServiceGroupSub();
                break;
            case Block.PolicyMap:
                PolicyMapSub();
                break;
            default:
                throw Fail(t, $"indented '{t.Text}' outside an interface, object, object-group or policy-map block");
        }
    }

    private void CloseBlock()
    {
        switch (_block)
        {
            case Block.Interface:
                CloseInterface(_interface!);
                break;
            case Block.NetworkObject:
                CloseNetworkObject(_object!);
                break;
            case Block.ServiceObject:
                CloseServiceObject(_object!);
                break;
            case Block.NetworkGroup:
                CloseNetworkGroup(_object!);
                break;
            case Block.ServiceGroup:
                CloseServiceGroup(_object!);
                break;
        }
        _block = Block.None;
        _interface = null;
        _object = null;
        _policyMap = -1;
        _inClassDefault = false;
    }

    // ---------------------------------------------------------------- interfaces

    private void InterfaceHeader()
    {
        var t = Next("interface name");
        var text = t.Text;
        string device = text;
        string? sub = null;
        int dot = text.LastIndexOf('.');
        if (dot >= 0)
        {
            device = text[..dot];
            sub = text[(dot + 1)..];
            if (sub.Length == 0 || !uint.TryParse(sub, NumberStyles.None, CultureInfo.InvariantCulture, out uint n) || n == 0)
            {
                throw FailAt(t.Column + dot + 1, $"sub-interface number must be a positive number, found '{sub}'");
            }
        }
        // Linux device names: IFNAMSIZ is 16 including the terminator; '/' and ':' are not allowed.
        if (device.Length == 0 || device.Length > 15 || device.Contains('/') || device.Contains(':'))
        {
            throw Fail(t, $"invalid Linux device name '{device}'");
        }
        ExpectEnd();
        _interface = _interfaces.Find(i => i.Name == text);
        if (_interface is null)
        {
            _interface = new InterfaceDraft(device, sub, Pos(t));
            _interfaces.Add(_interface);
        }
        _block = Block.Interface;
    }

    /// <summary>What names <paramref name="nameIf"/> in the configuration so far (for the rename refusal), or null.</summary>
    private string? NameIfUser(string nameIf)
    {
        if (_groups.Find(g => g.NameIf == nameIf) is { } group) return $"bound by access-group {group.ListName}";
        if (_syslogHosts.Find(h => h.NameIf == nameIf) is { } host) return $"used by logging host {nameIf} {host.Address}";
        if (_httpAccess.Find(h => h.NameIf == nameIf) is { } http) return $"used by http {http.Network}/{http.PrefixLength} {nameIf}";
        return null;
    }

    /// <summary>
    /// An IFNAME operand of <c>logging host</c> and <c>http</c>: a nameif defined above, or
    /// <c>management</c> for the host's own network stack.
    /// </summary>
    private Token NameIfOrManagement()
    {
        var it = Next("interface name (a nameif or 'management')");
        if (it.Text != HttpAccessEntry.Management && !_interfaces.Exists(i => i.NameIf == it.Text))
            throw Fail(it, $"interface '{it.Text}' is neither a nameif defined above nor '{HttpAccessEntry.Management}'");
        return it;
    }

    private void InterfaceSub()
    {
        var d = _interface!;
        var t = Next("interface sub-command");
        switch (t.Text)
        {
            case "nameif":
                var nt = Next("interface name");
                string nameIf = Name(nt, "nameif", 48);
                // A rename would leave a line that names the old nameif (an access-group, a
                // syslog server, an HTTPS allow-list entry) pointing at nothing, and a printed
                // configuration that does not parse back: refuse it; that line goes first.
                if (d.NameIf is not null && d.NameIf != nameIf && NameIfUser(d.NameIf) is { } user)
                {
                    throw Fail(nt, $"interface {d.Name} is nameif '{d.NameIf}', {user}: remove that before renaming");
                }
                d.NameIf = nameIf;
                d.NameIfPos = Pos(nt);
                break;
            case "vlan":
                var vt = Next("VLAN id");
                d.Vlan = (ushort)Int(vt, 1, 4094, "vlan");
                d.VlanPos = Pos(vt);
                break;
            case "bridge-group":
                d.BridgeGroup = Int(Next("bridge-group number"), 1, 250, "bridge-group");
                break;
            case "shutdown":
                d.Shutdown = true;
                break;
            case "no":
                Expect("shutdown");
                d.Shutdown = false;
                break;
            case "mtu":
                d.Mtu = Int(Next("MTU"), 64, 9216, "mtu");
                break;
            case "port-driver":
                var dt = Next("port driver");
                d.Driver = dt.Text switch
                {
                    "afpacket" => PortDriver.AfPacket,
                    "pcap" => PortDriver.Pcap,
                    _ => throw Fail(dt, $"port-driver must be afpacket or pcap, found '{dt.Text}'"),
                };
                d.DriverPos = Pos(dt);
                d.DriverSet = true;
                break;
            case "description":
                d.Description = RestOfLine("description text");
                break;
            default:
                throw Fail(t, $"unknown interface sub-command '{t.Text}'");
        }
        ExpectEnd();
    }

    private void CloseInterface(InterfaceDraft d)
    {
        if (d.Sub is not null && d.Vlan == 0)
        {
            throw FailAt(d.Header, $"sub-interface {d.Name} needs a 'vlan' sub-command");
        }
        foreach (var other in _interfaces)
        {
            if (other == d)
            {
                continue;
            }
            if (d.NameIf is not null && other.NameIf == d.NameIf)
            {
                throw FailAt(d.NameIfPos, $"nameif '{d.NameIf}' is already used by interface {other.Name}");
            }
            if (other.Device == d.Device && other.Driver != d.Driver && (d.DriverSet || other.DriverSet))
            {
                // One socket reads the whole device, whatever VLANs its sub-interfaces carry.
                var pos = d.DriverSet ? d.DriverPos : d.Header;
                throw FailAt(pos, $"device {d.Device} uses port-driver {ConfigText.DriverKeyword(other.Driver)} on interface {other.Name}; all interfaces of a device share one driver");
            }
            if (other.Device == d.Device && other.Vlan == d.Vlan)
            {
                var pos = d.Vlan != 0 ? d.VlanPos : d.Header;
                throw FailAt(pos, $"device {d.Device} vlan {d.Vlan} is already used by interface {other.Name}");
            }
        }
    }

    // ---------------------------------------------------------------- objects

    private string NewObjectName(Token t)
    {
        var name = Name(t, "object name", 64);
        if (_networkObjects.ContainsKey(name) || _serviceObjects.ContainsKey(name)
            || _networkGroups.ContainsKey(name) || _serviceGroups.ContainsKey(name))
        {
            throw Fail(t, $"object or object-group '{name}' is already defined");
        }
        return name;
    }

    private void ObjectHeader()
    {
        var kind = Next("'network' or 'service'");
        var nt = Next("object name");
        var name = NewObjectName(nt);
        ExpectEnd();
        _object = new ObjectDraft(name, Pos(nt));
        _block = kind.Text switch
        {
            "network" => Block.NetworkObject,
            "service" => Block.ServiceObject,
            _ => throw Fail(kind, $"expected 'network' or 'service', found '{kind.Text}'"),
        };
    }

    private void ObjectGroupHeader()
    {
        var kind = Next("'network' or 'service'");
        var nt = Next("object-group name");
        var name = NewObjectName(nt);
        var d = new ObjectDraft(name, Pos(nt));
        if (kind.Text == "network")
        {
            _block = Block.NetworkGroup;
        }
        else if (kind.Text == "service")
        {
            _block = Block.ServiceGroup;
            if (!AtEnd)
            {
                var pt = Next("port group protocol");
                d.PortProtocol = pt.Text switch
                {
                    "tcp" => PortGroupProtocol.Tcp,
                    "udp" => PortGroupProtocol.Udp,
                    "tcp-udp" => PortGroupProtocol.TcpUdp,
                    _ => throw Fail(pt, $"expected 'tcp', 'udp' or 'tcp-udp', found '{pt.Text}'"),
                };
            }
        }
        else
        {
            throw Fail(kind, $"expected 'network' or 'service', found '{kind.Text}'");
        }
        ExpectEnd();
        _object = d;
    }

    private void NetworkObjectSub()
    {
        var d = _object!;
        var t = Next("object sub-command");
        switch (t.Text)
        {
            case "host":
                d.Address = AddressSpec.Host(Ip(Next("host address")));
                break;
            case "subnet":
                d.Address = SubnetOperand(Next("subnet address"));
                break;
            case "range":
                var ft = Next("first address");
                var first = Ip(ft);
                var lt = Next("last address");
                var last = Ip(lt);
                if (first.IsV4 != last.IsV4)
                {
                    throw Fail(lt, "range ends are of different address families");
                }
                if (first.CompareTo(last) > 0)
                {
                    throw Fail(lt, $"range end {last} is lower than its start {first}");
                }
                d.Address = AddressSpec.Range(first, last);
                break;
            case "description":
                d.Description = RestOfLine("description text");
                break;
            default:
                throw Fail(t, $"unknown network object sub-command '{t.Text}'");
        }
        ExpectEnd();
    }

    private void CloseNetworkObject(ObjectDraft d)
    {
        if (d.Address is null)
        {
            throw FailAt(d.Header, $"object network {d.Name} has no host, subnet or range");
        }
        var o = new NetworkObject(d.Name, d.Address, d.Description);
        _networkObjects.Add(d.Name, o);
        _networkObjectOrder.Add(o);
    }

    private void ServiceObjectSub()
    {
        var d = _object!;
        var t = Next("object sub-command");
        switch (t.Text)
        {
            case "service":
                d.Service = ServiceOperand();
                break;
            case "description":
                d.Description = RestOfLine("description text");
                break;
            default:
                throw Fail(t, $"unknown service object sub-command '{t.Text}'");
        }
        ExpectEnd();
    }

    private void CloseServiceObject(ObjectDraft d)
    {
        if (d.Service is null)
        {
            throw FailAt(d.Header, $"object service {d.Name} has no 'service' line");
        }
        var o = new ServiceObject(d.Name, d.Service, d.Description);
        _serviceObjects.Add(d.Name, o);
        _serviceObjectOrder.Add(o);
    }

    /// <summary><c>PROTO [source OP P] [destination OP P]</c> or <c>icmp|icmp6 [TYPE [CODE]]</c>.</summary>
    private ServiceSpec ServiceOperand()
    {
        var pt = Next("protocol");
        int proto = ProtocolNumber(pt);
        PortMatch? src = null, dst = null;
        int type = -1, code = -1;
        if (AsaNames.HasPorts(proto))
        {
            if (PeekIs("source"))
            {
                _pos++;
                src = PortOperand(proto);
            }
            if (PeekIs("destination"))
            {
                _pos++;
                dst = PortOperand(proto);
            }
        }
        else if (IsIcmp(proto) && !AtEnd)
        {
            (type, code) = IcmpOperand(proto);
        }
        return new ServiceSpec(proto, src, dst, type, code);
    }

    private int ProtocolNumber(Token t)
    {
        if (t.Text == "ip")
        {
            return -1;
        }
        if (!AsaNames.TryParseProtocol(t.Text, out byte p))
        {
            throw Fail(t, $"unknown protocol '{t.Text}'");
        }
        return p;
    }

    private static bool IsIcmp(int proto) => proto == IpProtocol.Icmp || proto == IpProtocol.IcmpV6;

    private (int Type, int Code) IcmpOperand(int proto)
    {
        var t = Next("ICMP type");
        if (!AsaNames.TryParseIcmpType(t.Text, proto, out byte type))
        {
            throw Fail(t, $"unknown {(proto == IpProtocol.IcmpV6 ? "icmp6" : "icmp")} type '{t.Text}'");
        }
        int code = -1;
        if (Peek() is { } ct && byte.TryParse(ct.Text, NumberStyles.None, CultureInfo.InvariantCulture, out byte c))
        {
            _pos++;
            code = c;
        }
        return (type, code);
    }

    private void NetworkGroupSub()
    {
        var d = _object!;
        var t = Next("object-group sub-command");
        switch (t.Text)
        {
            case "network-object":
                var a = Next("address");
                if (a.Text == "host")
                {
                    d.NetworkMembers.Add(AddressSpec.Host(Ip(Next("host address"))));
                }
                else if (a.Text == "object")
                {
                    var on = Next("object name");
                    if (!_networkObjects.ContainsKey(on.Text))
                    {
                        throw Fail(on, $"network object '{on.Text}' is not defined");
                    }
                    d.NetworkMembers.Add(AddressSpec.ObjectRef(on.Text));
                }
                else
                {
                    d.NetworkMembers.Add(SubnetOperand(a));
                }
                break;
            case "group-object":
                var gt = Next("object-group name");
                if (!_networkGroups.ContainsKey(gt.Text))
                {
                    throw Fail(gt, gt.Text == d.Name
                        ? $"object-group '{gt.Text}' cannot contain itself"
                        : $"network object-group '{gt.Text}' is not defined");
                }
                d.NetworkMembers.Add(AddressSpec.GroupRef(gt.Text));
                break;
            case "description":
                d.Description = RestOfLine("description text");
                break;
            default:
                throw Fail(t, $"unknown network object-group sub-command '{t.Text}'");
        }
        ExpectEnd();
    }

    private void CloseNetworkGroup(ObjectDraft d)
    {
        if (d.NetworkMembers.Count == 0)
        {
            throw FailAt(d.Header, $"object-group network {d.Name} has no members");
        }
        var g = new NetworkGroup(d.Name, d.Description, d.NetworkMembers.ToArray());
        _networkGroups.Add(d.Name, g);
        _networkGroupOrder.Add(g);
    }

    private void ServiceGroupSub()
    {
        var d = _object!;
        var t = Next("object-group sub-command");
        switch (t.Text)
        {
            case "port-object" when d.PortProtocol is { } pp:
                var op = Peek();
                var m = PortOperand(ConfigText.PortGroupProtocolNumber(pp));
                if (m.Op is not (PortOperator.Eq or PortOperator.Range))
                {
                    throw Fail(op!.Value, "port-object accepts only 'eq' or 'range'");
                }
                d.ServiceMembers.Add(new ServiceGroupMember(ServiceMemberKind.Port, m));
                break;
            case "port-object":
                throw Fail(t, $"port-object needs a port group (object-group service {d.Name} tcp|udp|tcp-udp)");
            case "service-object" when d.PortProtocol is not null:
                throw Fail(t, $"service-object is not allowed in port group {d.Name}; use port-object");
            case "service-object":
                if (PeekIs("object"))
                {
                    _pos++;
                    var on = Next("service object name");
                    if (!_serviceObjects.ContainsKey(on.Text))
                    {
                        throw Fail(on, $"service object '{on.Text}' is not defined");
                    }
                    d.ServiceMembers.Add(new ServiceGroupMember(ServiceMemberKind.Object, Name: on.Text));
                }
                else
                {
                    d.ServiceMembers.Add(new ServiceGroupMember(ServiceMemberKind.Service, Service: ServiceOperand()));
                }
                break;
            case "group-object":
                var gt = Next("object-group name");
                if (!_serviceGroups.TryGetValue(gt.Text, out var inner))
                {
                    throw Fail(gt, gt.Text == d.Name
                        ? $"object-group '{gt.Text}' cannot contain itself"
                        : $"service object-group '{gt.Text}' is not defined");
                }
                if (inner.Protocol != d.PortProtocol)
                {
                    throw Fail(gt, $"object-group '{gt.Text}' is of a different service type than '{d.Name}'");
                }
                d.ServiceMembers.Add(new ServiceGroupMember(ServiceMemberKind.Group, Name: gt.Text));
                break;
            case "description":
                d.Description = RestOfLine("description text");
                break;
            default:
                throw Fail(t, $"unknown service object-group sub-command '{t.Text}'");
        }
        ExpectEnd();
    }

    private void CloseServiceGroup(ObjectDraft d)
    {
        if (d.ServiceMembers.Count == 0)
        {
            throw FailAt(d.Header, $"object-group service {d.Name} has no members");
        }
        var g = new ServiceGroup(d.Name, d.PortProtocol, d.Description, d.ServiceMembers.ToArray());
        _serviceGroups.Add(d.Name, g);
        _serviceGroupOrder.Add(g);
    }

    // ---------------------------------------------------------------- addresses and ports

    private IpAddr Ip(Token t)
    {
        if (!t.Text.Contains('/') && IpAddr.TryParse(t.Text, out var a) && (t.Text.Contains(':') || t.Text.Count(c => c == '.') == 3))
        {
            return a;
        }
        throw Fail(t, $"invalid IP address '{t.Text}'");
    }

    /// <summary><c>A M</c> (IPv4 with a netmask token following) or <c>A/len</c> (IPv6).</summary>
    private AddressSpec SubnetOperand(Token at)
    {
        int slash = at.Text.IndexOf('/');
        if (slash >= 0)
        {
            var addrTok = new Token(at.Text[..slash], at.Column);
            var a = Ip(addrTok);
            if (a.IsV4)
            {
                throw Fail(at, "prefix notation is for IPv6; write an IPv4 subnet as ADDRESS NETMASK");
            }
            var lenTok = new Token(at.Text[(slash + 1)..], at.Column + slash + 1);
            int len = Int(lenTok, 0, 128, "IPv6 prefix length");
            if (a.And(IpAddr.PrefixMask(len)) != a)
            {
                throw Fail(at, $"address {a} has bits set outside prefix /{len}");
            }
            return AddressSpec.Subnet(a, len);
        }
        var addr = Ip(at);
        if (!addr.IsV4)
        {
            throw Fail(at, "an IPv6 subnet is written ADDRESS/LENGTH");
        }
        var mt = Next("netmask");
        var mask = Ip(mt);
        if (!mask.IsV4)
        {
            throw Fail(mt, $"invalid netmask '{mt.Text}'");
        }
        uint m = mask.V4;
        // A netmask is contiguous when its inverse plus one is a power of two (or zero for /0).
        uint inv = ~m;
        if ((inv & (inv + 1)) != 0)
        {
            throw Fail(mt, $"netmask {mt.Text} is not contiguous");
        }
        if ((addr.V4 & inv) != 0)
        {
            throw Fail(at, $"address {addr} and mask {mt.Text} do not pair (host bits set)");
        }
        return AddressSpec.Subnet(addr, BitOperations.PopCount(m));
    }

    private PortMatch PortOperand(int proto)
    {
        var ot = Next("port operator");
        var op = ot.Text switch
        {
            "eq" => PortOperator.Eq,
            "neq" => PortOperator.Neq,
            "lt" => PortOperator.Lt,
            "gt" => PortOperator.Gt,
            "range" => PortOperator.Range,
            _ => throw Fail(ot, $"expected eq, neq, lt, gt or range, found '{ot.Text}'"),
        };
        var pt = Next("port");
        ushort first = Port(pt, proto);
        ushort last = 0;
        if (op == PortOperator.Range)
        {
            var lt = Next("last port");
            last = Port(lt, proto);
            if (last < first)
            {
                throw Fail(lt, $"port range end {last} is lower than its start {first}");
            }
        }
        else if ((op == PortOperator.Lt && first == 0) || (op == PortOperator.Gt && first == ushort.MaxValue))
        {
            throw Fail(pt, $"'{ot.Text} {pt.Text}' matches no port");
        }
        return new PortMatch(op, first, last);
    }

    private ushort Port(Token t, int proto)
    {
        if (!AsaNames.TryParsePort(t.Text, proto, out ushort p))
        {
            throw Fail(t, $"unknown port '{t.Text}'");
        }
        return p;
    }

    // ---------------------------------------------------------------- access-lists

    private void AccessList()
    {
        var nt = Next("access-list name");
        var name = Name(nt, "access-list name", 240);
        var kt = Next("'extended', 'advanced', 'ethertype' or 'remark'");
        if (!_lists.TryGetValue(name, out var list))
        {
            list = new ListDraft(name, AccessListKind.Extended);
        }
        AccessListLine line;
        switch (kt.Text)
        {
            case "remark":
                line = new RemarkLine(RestOfLine("remark text"));
                break;
            case "ethertype":
                FixKind(list, kt, AccessListKind.EtherType);
                line = EtherTypeLine();
                break;
            case "extended":
            case "advanced":
                FixKind(list, kt, AccessListKind.Extended);
                line = ExtendedLine(kt.Text == "advanced");
                break;
            default:
                throw Fail(kt, $"expected 'extended', 'advanced', 'ethertype' or 'remark', found '{kt.Text}'");
        }
        ExpectEnd();
        if (!_lists.ContainsKey(name))
        {
            _lists.Add(name, list);
            _listOrder.Add(list);
        }
        list.Lines.Add(line);
    }

    private void FixKind(ListDraft list, Token at, AccessListKind kind)
    {
        if (list.KindFixed && list.Kind != kind)
        {
            throw Fail(at, $"access-list {list.Name} is an {(list.Kind == AccessListKind.EtherType ? "ethertype" : "extended")} list; it cannot mix in '{at.Text}' entries");
        }
        list.Kind = kind;
        list.KindFixed = true;
    }

    private AceAction Action(bool allowTrust)
    {
        var t = Next("permit, deny or trust");
        return t.Text switch
        {
            "permit" => AceAction.Permit,
            "deny" => AceAction.Deny,
            "trust" when allowTrust => AceAction.Trust,
            "trust" => throw Fail(t, "'trust' is only valid in an 'advanced' access-list entry"),
            _ => throw Fail(t, $"expected permit or deny, found '{t.Text}'"),
        };
    }

    private EtherTypeAce EtherTypeLine()
    {
        var action = Action(allowTrust: false);
        var t = Next("ethertype");
        switch (t.Text)
        {
            case "any": return new EtherTypeAce(action, EtherTypeKind.Any);
            case "bpdu": return new EtherTypeAce(action, EtherTypeKind.Bpdu);
            case "ipx": return new EtherTypeAce(action, EtherTypeKind.Ipx);
            case "mpls-unicast": return new EtherTypeAce(action, EtherTypeKind.MplsUnicast);
            case "mpls-multicast": return new EtherTypeAce(action, EtherTypeKind.MplsMulticast);
            case "isis": return new EtherTypeAce(action, EtherTypeKind.Isis);
        }
        if (t.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(t.Text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort v)
            && v >= 0x600)
        {
            return new EtherTypeAce(action, EtherTypeKind.Number, v);
        }
        throw Fail(t, $"ethertype must be any, bpdu, ipx, mpls-unicast, mpls-multicast, isis or 0x600-0xffff, found '{t.Text}'");
    }

    private ExtendedAce ExtendedLine(bool advanced)
    {
        var action = Action(allowTrust: advanced);
        var pt = Next("protocol");
        ProtocolSpec proto;
        if (pt.Text == "object")
        {
            var on = Next("service object name");
            if (!_serviceObjects.ContainsKey(on.Text))
            {
                throw Fail(on, $"service object '{on.Text}' is not defined");
            }
            proto = new ProtocolSpec(ProtocolKind.Object, Name: on.Text);
        }
        else if (pt.Text == "object-group")
        {
            var gn = Next("service object-group name");
            if (!_serviceGroups.ContainsKey(gn.Text))
            {
                throw Fail(gn, $"service object-group '{gn.Text}' is not defined");
            }
            proto = new ProtocolSpec(ProtocolKind.ObjectGroup, Name: gn.Text);
        }
        else
        {
            int n = ProtocolNumber(pt);
            proto = n < 0 ? ProtocolSpec.Ip : new ProtocolSpec(ProtocolKind.Number, (byte)n);
        }
        int protoNumber = proto.Kind == ProtocolKind.Number ? proto.Number : -1;

        var src = AceAddress();
        var srcPort = AcePort(proto, protoNumber);
        var dstTok = Peek();
        var dst = AceAddress();
        var dstPort = AcePort(proto, protoNumber);
        int icmpType = -1, icmpCode = -1;
        if (IsIcmp(protoNumber) && !AtEnd && !IsAceOption(Peek()!.Value.Text))
        {
            (icmpType, icmpCode) = IcmpOperand(protoNumber);
        }
        CheckFamilies(src, dst, dstTok!.Value);

        long ruleId = 0;
        var eventLog = EventLogMode.None;
        LogOption? log = null;
        bool inactive = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!AtEnd)
        {
            var ot = Next("option");
            if (!IsAceOption(ot.Text))
            {
                throw Fail(ot, $"unexpected '{ot.Text}'");
            }
            if (!seen.Add(ot.Text))
            {
                throw Fail(ot, $"option '{ot.Text}' given twice");
            }
            switch (ot.Text)
            {
                case "rule-id":
                    var rt = Next("rule id");
                    if (!long.TryParse(rt.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ruleId) || ruleId <= 0 || ruleId > uint.MaxValue)
                    {
                        throw Fail(rt, $"rule-id must be a number from 1 to {uint.MaxValue}, found '{rt.Text}'");
                    }
                    break;
                case "event-log":
                    var et = Next("flow-start, flow-end or both");
                    eventLog = et.Text switch
                    {
                        "flow-start" => EventLogMode.FlowStart,
                        "flow-end" => EventLogMode.FlowEnd,
                        "both" => EventLogMode.Both,
                        _ => throw Fail(et, $"expected flow-start, flow-end or both, found '{et.Text}'"),
                    };
                    break;
                case "log":
                    int level = LogOption.DefaultLevel, interval = LogOption.DefaultInterval;
                    if (Peek() is { } lt && AsaNames.TryParseLogLevel(lt.Text, out int l))
                    {
                        _pos++;
                        level = l;
                    }
                    if (PeekIs("interval"))
                    {
                        _pos++;
                        interval = Int(Next("log interval"), 1, 600, "log interval");
                    }
                    log = new LogOption(level, interval);
                    break;
                case "inactive":
                    inactive = true;
                    break;
            }
        }
        return new ExtendedAce(advanced, action, proto, src, srcPort, dst, dstPort, icmpType, icmpCode, ruleId, eventLog, log, inactive);
    }

    private static bool IsAceOption(string s) => s is "rule-id" or "event-log" or "log" or "inactive";

    private AddressSpec AceAddress()
    {
        var t = Next("address");
        switch (t.Text)
        {
            case "any": return AddressSpec.Any;
            case "any4": return AddressSpec.Any4;
            case "any6": return AddressSpec.Any6;
            case "host": return AddressSpec.Host(Ip(Next("host address")));
            case "object":
                var on = Next("network object name");
                if (!_networkObjects.ContainsKey(on.Text))
                {
                    throw Fail(on, _serviceObjects.ContainsKey(on.Text)
                        ? $"'{on.Text}' is a service object, not a network object"
                        : $"network object '{on.Text}' is not defined");
                }
                return AddressSpec.ObjectRef(on.Text);
            case "object-group":
                var gn = Next("network object-group name");
                if (!_networkGroups.ContainsKey(gn.Text))
                {
                    throw Fail(gn, _serviceGroups.ContainsKey(gn.Text)
                        ? $"'{gn.Text}' is a service object-group, not a network object-group"
                        : $"network object-group '{gn.Text}' is not defined");
                }
                return AddressSpec.GroupRef(gn.Text);
            default:
                return SubnetOperand(t);
        }
    }

    /// <summary>An optional port operand after an address: an operator, or <c>object-group G</c> naming a port group.</summary>
    private PortSpec? AcePort(ProtocolSpec proto, int protoNumber)
    {
        if (Peek() is not { } t)
        {
            return null;
        }
        bool isOp = t.Text is "eq" or "neq" or "lt" or "gt" or "range";
        bool isPortGroup = t.Text == "object-group" && Peek(1) is { } g
            && _serviceGroups.TryGetValue(g.Text, out var sg) && sg.Protocol is not null;
        if (!isOp && !isPortGroup)
        {
            return null;
        }
        if (proto.Kind is ProtocolKind.Object or ProtocolKind.ObjectGroup)
        {
            throw Fail(t, "port operands are not allowed when the protocol is a service object or object-group");
        }
        if (!AsaNames.HasPorts(protoNumber))
        {
            throw Fail(t, $"port operands need protocol tcp, udp or sctp, not '{ConfigText.Protocol(protoNumber)}'");
        }
        if (isOp)
        {
            return PortSpec.Of(PortOperand(protoNumber));
        }
        _pos++;
        var gt = Next("port group name");
        var group = _serviceGroups[gt.Text];
        int groupProto = ConfigText.PortGroupProtocolNumber(group.Protocol!.Value);
        if (groupProto >= 0 && groupProto != protoNumber)
        {
            throw Fail(gt, $"port group '{gt.Text}' is {ConfigText.PortGroupKeyword(group.Protocol.Value)}, the entry is {ConfigText.Protocol(protoNumber)}");
        }
        return PortSpec.Group(gt.Text);
    }

    /// <summary>Two literal operands of different families can never match: ASA rejects them.</summary>
    private void CheckFamilies(AddressSpec src, AddressSpec dst, Token dstTok)
    {
        int fs = Family(src), fd = Family(dst);
        if (fs != 0 && fd != 0 && fs != fd)
        {
            throw Fail(dstTok, $"source is IPv{fs} but destination is IPv{fd}");
        }
    }

    private static int Family(AddressSpec a) => a.Kind switch
    {
        AddressKind.Any4 => 4,
        AddressKind.Any6 => 6,
        AddressKind.Host or AddressKind.Subnet or AddressKind.Range => a.Address.IsV4 ? 4 : 6,
        _ => 0,
    };

    // ---------------------------------------------------------------- access-groups, timeouts

    private void AccessGroup()
    {
        var nt = Next("access-list name");
        if (!_lists.ContainsKey(nt.Text))
        {
            throw Fail(nt, $"access-list '{nt.Text}' is not defined");
        }
        var kind = Next("'global' or 'in interface'");
        AccessGroupConfig g;
        if (kind.Text == "global")
        {
            g = new AccessGroupConfig(nt.Text, null);
        }
        else if (kind.Text == "in")
        {
            Expect("interface");
            var it = Next("interface nameif");
            if (!_interfaces.Exists(i => i.NameIf == it.Text))
            {
                throw Fail(it, $"no interface has nameif '{it.Text}'");
            }
            g = new AccessGroupConfig(nt.Text, it.Text);
        }
        else
        {
            throw Fail(kind, $"expected 'global' or 'in interface', found '{kind.Text}'");
        }
        ExpectEnd();
        // Binding fixes the list kind: a remark-only list bound as extended cannot turn ethertype later.
        _lists[nt.Text].KindFixed = true;
        var kindOfList = _lists[nt.Text].Kind;
        foreach (var other in _groups)
        {
            if (other.NameIf == g.NameIf && _lists[other.ListName].Kind == kindOfList)
            {
                throw Fail(nt, $"{(g.IsGlobal ? "the global access-group" : $"interface {g.NameIf}")} already has {(kindOfList == AccessListKind.EtherType ? "an ethertype" : "an extended")} access-list ({other.ListName})");
            }
        }
        _groups.Add(g);
    }

    private void Timeout()
    {
        var t = _timeouts;
        do
        {
            var kt = Next("timeout name");
            var vt = Next("duration H:MM:SS");
            var v = Duration(vt);
            t = kt.Text switch
            {
                "conn" => t with { Conn = v },
                "udp" => t with { Udp = v },
                "icmp" => t with { Icmp = v },
                "tcp-half-closed" or "half-closed" => t with { TcpHalfClosed = v },
                _ => throw Fail(kt, $"unknown timeout '{kt.Text}' (conn, udp, icmp, tcp-half-closed)"),
            };
        }
        while (!AtEnd);
        _timeouts = t;
    }

    private TimeSpan Duration(Token t)
    {
        var parts = t.Text.Split(':');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && h <= 1193
            && parts[1].Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m < 60
            && parts[2].Length == 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s < 60)
        {
            return new TimeSpan(h, m, s);
        }
        throw Fail(t, $"duration must be H:MM:SS, found '{t.Text}'");
    }

    // ---------------------------------------------------------------- result

    private BridgeConfig Build()
    {
        var interfaces = new InterfaceConfig[_interfaces.Count];
        for (int i = 0; i < interfaces.Length; i++)
        {
            interfaces[i] = _interfaces[i].Build();
        }
        var lists = new AccessListConfig[_listOrder.Count];
        for (int i = 0; i < lists.Length; i++)
        {
            lists[i] = new AccessListConfig(_listOrder[i].Name, _listOrder[i].Kind, _listOrder[i].Lines.ToArray());
        }
        return new BridgeConfig(
            _hostname,
            interfaces,
            _networkObjectOrder.ToArray(),
            _serviceObjectOrder.ToArray(),
            _networkGroupOrder.ToArray(),
            _serviceGroupOrder.ToArray(),
            lists,
            _groups.ToArray(),
            _timeouts,
            _macAging,
            _metrics,
            _snortRules.ToArray(),
            _snortMode,
            BuildHttp(),
            _users.ToArray(),
            BuildLogging())
        {
            SnortFailPolicy = _snortFail,
            ServicePolicy = BuildServicePolicy(),
        };
    }
}
