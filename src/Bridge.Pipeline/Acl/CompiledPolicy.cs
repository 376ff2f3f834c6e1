using System.Text;
using Bridge.Packets;
using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Acl;

/// <summary>
/// The access-lists of one config compiled for matching: objects and object-groups are expanded
/// into leaf ACEs (each with its own index and hit counter), and each ingress port gets the
/// segments that apply to it (its interface list first, then the global list, as ASA evaluates
/// them). A segment longer than <see cref="ClassifierThreshold"/> leaves is matched by a
/// <see cref="BitVectorClassifier"/>, a shorter one by a linear scan; the flat per-port array
/// stays as the reference (<see cref="MatchLinear"/>). Immutable and shared read-only by all
/// workers; <see cref="Match"/> and <see cref="MatchEtherType"/> allocate nothing and take no lock.
/// </summary>
public sealed class CompiledPolicy
{
    private const ulong StpMac = 0x0180_C200_0000UL;
    private const ulong CiscoPvstMac = 0x0100_0CCC_CCCDUL;

    private readonly AceInfo[] _aces;
    private readonly AceAction[] _actions;
    private readonly L3Ace[][] _l3;
    private readonly Segment[][] _segments;
    private readonly bool[] _hasL3Group;
    private readonly EtherAce[][] _ether;
    private readonly ListView[] _lists;

    /// <summary>
    /// Lists longer than this many active L3 leaves get a bit-vector classifier (unless its bitsets
    /// would pass <see cref="BitVectorClassifier.MaxBitsetBytes"/>); shorter ones are scanned
    /// (measured in Acl/NOTES.md: below it the scan is as fast and builds nothing).
    /// </summary>
    public const int ClassifierThreshold = 32;

    private CompiledPolicy(AceInfo[] aces, L3Ace[][] l3, Segment[][] segments, bool[] hasL3Group, EtherAce[][] ether, ListView[] lists)
    {
        _aces = aces;
        _l3 = l3;
        _segments = segments;
        _hasL3Group = hasL3Group;
        _ether = ether;
        _lists = lists;
        _actions = new AceAction[aces.Length];
        for (int i = 0; i < aces.Length; i++)
        {
            _actions[i] = aces[i].Action;
        }
    }

    /// <summary>Size of the hit-counter array: one slot per leaf ACE (ethertype ACEs included).</summary>
    public int AceCount => _aces.Length;

    public int PortCount => _l3.Length;

    /// <summary>Bytes held by the bit-vector classifiers (each list's classifier counted once).</summary>
    public long ClassifierBytes
    {
        get
        {
            var seen = new HashSet<Segment>();
            long bytes = 0;
            foreach (var port in _segments)
            {
                foreach (var s in port)
                {
                    if (s.Classifier is not null && seen.Add(s))
                    {
                        bytes += s.Classifier.Bytes;
                    }
                }
            }
            return bytes;
        }
    }

    /// <summary>Every access-list of the config, in config order, bound or not.</summary>
    public IReadOnlyList<string> ListNames
    {
        get
        {
            var names = new string[_lists.Length];
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = _lists[i].Name;
            }
            return names;
        }
    }

    internal IReadOnlyList<ListView> Lists => _lists;

    public AceInfo Ace(int index) => _aces[index];

    /// <summary>The action of a leaf, without touching the <see cref="AceInfo"/> record (hot path).</summary>
    public AceAction ActionOf(int index) => _actions[index];

    /// <summary>True when an L3 access-group (global or in interface) applies to this port.</summary>
    public bool HasAccessGroup(int ingressIf) => _hasL3Group[ingressIf];

    /// <summary>First matching leaf index, or -1 for the implicit deny. Call only when <see cref="HasAccessGroup"/>.</summary>
    public int Match(int ingressIf, in AclKey key)
    {
        var segments = _segments[ingressIf];
        for (int s = 0; s < segments.Length; s++)
        {
            var segment = segments[s];
            int hit = segment.Classifier is { } classifier ? classifier.Match(key) : Scan(segment.Aces, key);
            if (hit >= 0)
            {
                return hit;
            }
        }
        return -1;
    }

    /// <summary>The port's segments in evaluation order (tests and benchmarks).</summary>
    internal IReadOnlyList<Segment> SegmentsOf(int ingressIf) => _segments[ingressIf];

    /// <summary>The reference: a linear scan over every active leaf of the port, in evaluation order.</summary>
    public int MatchLinear(int ingressIf, in AclKey key) => Scan(_l3[ingressIf], key);

    private static int Scan(L3Ace[] aces, in AclKey key)
    {
        for (int i = 0; i < aces.Length; i++)
        {
            ref readonly L3Ace a = ref aces[i];
            if (a.Protocol >= 0 && a.Protocol != key.Protocol)
            {
                continue;
            }
            if (!InRange(key.Src, a.SrcLo, a.SrcHi) || (a.SrcV6Only && key.Src.IsV4))
            {
                continue;
            }
            if (!InRange(key.Dst, a.DstLo, a.DstHi) || (a.DstV6Only && key.Dst.IsV4))
            {
                continue;
            }
            if (a.CheckPorts)
            {
                if (!key.HasPorts
                    || ((key.SrcPort >= a.SpLo && key.SrcPort <= a.SpHi) == a.SpNegate)
                    || ((key.DstPort >= a.DpLo && key.DstPort <= a.DpHi) == a.DpNegate))
                {
                    continue;
                }
            }
            if (a.IcmpType >= 0)
            {
                if (!key.HasIcmp || key.IcmpType != a.IcmpType || (a.IcmpCode >= 0 && key.IcmpCode != a.IcmpCode))
                {
                    continue;
                }
            }
            return a.Index;
        }
        return -1;
    }

    /// <summary>ARP, IPv4 and IPv6 (Ethernet II) pass the EtherType check by the implicit rule, whatever the ethertype ACEs say.</summary>
    public static bool IsImplicitEtherType(ushort etherType) =>
        etherType == EtherTypes.Ipv4 || etherType == EtherTypes.Ipv6 || etherType == EtherTypes.Arp;

    /// <summary>
    /// The transparent-mode L2 check. ARP, IPv4 and IPv6 pass implicitly; BPDUs (LLC frames to
    /// 0180.c200.0000 or 0100.0ccc.cccd) pass unless an ethertype <c>bpdu</c> ACE says otherwise;
    /// any other frame needs an ethertype ACE bound to the port (or global) that permits it.
    /// <c>any</c> covers every frame that reaches the ACEs except BPDUs, which only <c>bpdu</c> names.
    /// </summary>
    public EtherVerdict MatchEtherType(int ingressIf, ushort etherType, bool isLlc, MacAddr dst, out int aceIndex)
    {
        aceIndex = -1;
        if (!isLlc && IsImplicitEtherType(etherType))
        {
            return EtherVerdict.ImplicitPermit;
        }
        bool bpdu = isLlc && (dst.Value == StpMac || dst.Value == CiscoPvstMac);
        var aces = _ether[ingressIf];
        for (int i = 0; i < aces.Length; i++)
        {
            ref readonly EtherAce a = ref aces[i];
            bool hit = a.Kind switch
            {
                EtherTypeKind.Any => !bpdu,
                EtherTypeKind.Bpdu => bpdu,
                EtherTypeKind.Ipx => !isLlc && (etherType == EtherTypes.Ipx || etherType == EtherTypes.Ipx + 1),
                EtherTypeKind.MplsUnicast => !isLlc && etherType == EtherTypes.MplsUnicast,
                EtherTypeKind.MplsMulticast => !isLlc && etherType == EtherTypes.MplsMulticast,
                EtherTypeKind.Isis => isLlc && IsIsisMac(dst.Value),
                _ => !isLlc && etherType == a.EtherType,
            };
            if (hit)
            {
                aceIndex = a.Index;
                return a.Permit ? EtherVerdict.Permit : EtherVerdict.Deny;
            }
        }
        return bpdu ? EtherVerdict.ImplicitPermit : EtherVerdict.ImplicitDeny;
    }

    // IS-IS rides on LLC (SAP 0xFE) to the all-L1/all-L2 IS and ES multicast groups.
    private static bool IsIsisMac(ulong mac) =>
        mac is 0x0180_C200_0014UL or 0x0180_C200_0015UL or 0x0900_2B00_0004UL or 0x0900_2B00_0005UL;

    private static bool InRange(IpAddr x, IpAddr lo, IpAddr hi) => x.CompareTo(lo) >= 0 && x.CompareTo(hi) <= 0;

    /// <summary>
    /// Compiles <paramref name="cfg"/>; <paramref name="nameIfs"/>[i] is the nameif of port i.
    /// Access-groups naming an interface that is not among the ports are ignored.
    /// </summary>
    public static CompiledPolicy Build(BridgeConfig cfg, IReadOnlyList<string> nameIfs) => Build(cfg, nameIfs, ClassifierThreshold);

    /// <summary>As <see cref="Build(BridgeConfig, IReadOnlyList{string})"/>, with lists longer than <paramref name="classifierThreshold"/> leaves classified (tests use 0).</summary>
    internal static CompiledPolicy Build(BridgeConfig cfg, IReadOnlyList<string> nameIfs, int classifierThreshold)
    {
        var compiler = new PolicyCompiler(cfg);
        return compiler.Compile(nameIfs, classifierThreshold);
    }

    /// <summary>The active L3 leaves of one bound list, with their classifier when the list is long.</summary>
    internal sealed class Segment(L3Ace[] aces, BitVectorClassifier? classifier)
    {
        public L3Ace[] Aces { get; } = aces;

        public BitVectorClassifier? Classifier { get; } = classifier;
    }

    internal struct L3Ace
    {
        public int Index;
        /// <summary>-1 = any IP protocol.</summary>
        public short Protocol;
        public IpAddr SrcLo, SrcHi, DstLo, DstHi;
        /// <summary>IPv6 operands (any6, v6 prefixes) never match IPv4-mapped keys, even ::/0.</summary>
        public bool SrcV6Only, DstV6Only;
        public bool CheckPorts;
        public ushort SpLo, SpHi, DpLo, DpHi;
        public bool SpNegate, DpNegate;
        public short IcmpType, IcmpCode;
    }

    internal struct EtherAce
    {
        public int Index;
        public EtherTypeKind Kind;
        public ushort EtherType;
        public bool Permit;
    }

    /// <summary>One line of <c>show access-list</c>: a remark, or an ACE with its leaves.</summary>
    internal sealed record LineView(int LineNo, string Text, bool IsRemark, bool Expanded, int FirstLeaf, int LeafCount, uint Hash, bool Inactive);

    internal sealed record ListView(string Name, uint NameHash, IReadOnlyList<LineView> Lines, int Elements);

    /// <summary>FNV-1a 32-bit over the UTF-8 bytes: stable across runs and platforms, unlike string.GetHashCode.</summary>
    public static uint Fnv1a(string text)
    {
        uint h = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            h = (h ^ b) * 16777619;
        }
        return h;
    }

    private sealed class PolicyCompiler(BridgeConfig cfg)
    {
        private readonly List<AceInfo> _aces = [];
        private readonly List<L3Ace> _l3 = [];
        private readonly List<EtherAce> _ether = [];
        private readonly List<ListView> _views = [];
        // Leaf index -> position in _l3 or _ether, -1 when the leaf is of the other kind.
        private readonly List<int> _l3Slot = [];
        private readonly List<int> _etherSlot = [];

        public CompiledPolicy Compile(IReadOnlyList<string> nameIfs, int classifierThreshold)
        {
            var leavesByList = new Dictionary<string, (int First, int Count, AccessListKind Kind)>(StringComparer.Ordinal);
            foreach (var list in cfg.AccessLists)
            {
                int first = _aces.Count;
                CompileList(list);
                leavesByList[list.Name] = (first, _aces.Count - first, list.Kind);
            }

            var l3 = new L3Ace[nameIfs.Count][];
            var ether = new EtherAce[nameIfs.Count][];
            var has = new bool[nameIfs.Count];
            var segments = new Segment[nameIfs.Count][];
            // A list bound to several ports (the global one to all) is classified once.
            var segmentOf = new Dictionary<string, Segment>(StringComparer.Ordinal);
            for (int port = 0; port < nameIfs.Count; port++)
            {
                var l3Scan = new List<L3Ace>();
                var portSegments = new List<Segment>();
                var etherScan = new List<EtherAce>();
                // Interface-bound lists are evaluated before the global one, as on ASA.
                foreach (bool global in (ReadOnlySpan<bool>)[false, true])
                {
                    foreach (var g in cfg.AccessGroups)
                    {
                        if (g.IsGlobal != global || (!global && g.NameIf != nameIfs[port]))
                        {
                            continue;
                        }
                        var (first, count, kind) = leavesByList[g.ListName];
                        if (kind == AccessListKind.Extended)
                        {
                            has[port] = true;
                        }
                        int before = l3Scan.Count;
                        for (int leaf = first; leaf < first + count; leaf++)
                        {
                            if (_aces[leaf].Inactive)
                            {
                                continue;
                            }
                            if (_l3Slot[leaf] >= 0)
                            {
                                l3Scan.Add(_l3[_l3Slot[leaf]]);
                            }
                            else
                            {
                                etherScan.Add(_ether[_etherSlot[leaf]]);
                            }
                        }
                        if (l3Scan.Count > before)
                        {
                            if (!segmentOf.TryGetValue(g.ListName, out var segment))
                            {
                                var leaves = l3Scan.GetRange(before, l3Scan.Count - before).ToArray();
                                segment = new Segment(leaves, leaves.Length > classifierThreshold ? BitVectorClassifier.Build(leaves) : null);
                                segmentOf[g.ListName] = segment;
                            }
                            portSegments.Add(segment);
                        }
                    }
                }
                segments[port] = portSegments.ToArray();
                l3[port] = l3Scan.ToArray();
                ether[port] = etherScan.ToArray();
            }
            return new CompiledPolicy(_aces.ToArray(), l3, segments, has, ether, _views.ToArray());
        }

        private string GroupLine(string listName)
        {
            foreach (var g in cfg.AccessGroups)
            {
                if (g.ListName == listName)
                {
                    return g.Text;
                }
            }
            return "";
        }

        private void CompileList(AccessListConfig list)
        {
            string groupLine = GroupLine(list.Name);
            var lines = new List<LineView>();
            int firstLeafOfList = _aces.Count;
            var remarksByRuleId = RuleIdRemarks(list);
            for (int n = 0; n < list.Lines.Count; n++)
            {
                int lineNo = n + 1;
                var line = list.Lines[n];
                string text = ConfigText.Line(list.Name, line);
                switch (line)
                {
                    case RemarkLine:
                        lines.Add(new LineView(lineNo, text, true, false, 0, 0, Fnv1a(text), false));
                        break;
                    case EtherTypeAce e:
                    {
                        int index = _aces.Count;
                        AddLeaf(new AceInfo(index, list.Name, e.Action, 0, groupLine, text, Remarks(list, n, 0, remarksByRuleId), lineNo, false) { IsEtherType = true });
                        _etherSlot[index] = _ether.Count;
                        _ether.Add(new EtherAce { Index = index, Kind = e.Kind, EtherType = e.EtherType, Permit = e.Action == AceAction.Permit });
                        lines.Add(new LineView(lineNo, text, false, false, index, 1, Fnv1a(text), false));
                        break;
                    }
                    case ExtendedAce x:
                    {
                        int first = _aces.Count;
                        var remarks = Remarks(list, n, x.RuleId, remarksByRuleId);
                        Expand(list.Name, x, text, groupLine, remarks, lineNo);
                        lines.Add(new LineView(lineNo, text, false, x.UsesObjects, first, _aces.Count - first, Fnv1a(text), x.Inactive));
                        break;
                    }
                }
            }
            _views.Add(new ListView(list.Name, Fnv1a(list.Name), lines, _aces.Count - firstLeafOfList));
        }

        private void AddLeaf(AceInfo info)
        {
            _aces.Add(info);
            _l3Slot.Add(-1);
            _etherSlot.Add(-1);
        }

        /// <summary>
        /// The list's remarks by their <c>rule-id N:</c> prefix (up to the first colon), in line order:
        /// one pass per list instead of one per ACE, which was quadratic on long FTD lists.
        /// </summary>
        private static Dictionary<string, List<string>> RuleIdRemarks(AccessListConfig list)
        {
            var byPrefix = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var l in list.Lines)
            {
                if (l is RemarkLine r && r.Text.StartsWith("rule-id ", StringComparison.Ordinal) && r.Text.IndexOf(':', StringComparison.Ordinal) is > 0 and int colon)
                {
                    string prefix = r.Text[..(colon + 1)];
                    if (!byPrefix.TryGetValue(prefix, out var remarks))
                    {
                        byPrefix[prefix] = remarks = [];
                    }
                    remarks.Add(ConfigText.Line(list.Name, r));
                }
            }
            return byPrefix;
        }

        /// <summary>FTD ties remarks to an ACE by the <c>rule-id N:</c> prefix; without a rule-id, the remarks just above it.</summary>
        private static string[] Remarks(AccessListConfig list, int aceLine, long ruleId, Dictionary<string, List<string>> byRuleId)
        {
            if (ruleId != 0)
            {
                return byRuleId.TryGetValue($"rule-id {ruleId}:", out var tied) ? tied.ToArray() : [];
            }
            var result = new List<string>();
            for (int i = aceLine - 1; i >= 0 && list.Lines[i] is RemarkLine r; i--)
            {
                result.Insert(0, ConfigText.Line(list.Name, r));
            }
            return result.ToArray();
        }

        private readonly record struct Svc(int Protocol, PortMatch? Sp, PortMatch? Dp, int IcmpType, int IcmpCode);

        private void Expand(string listName, ExtendedAce x, string aceLine, string groupLine, string[] remarks, int lineNo)
        {
            var srcs = new List<AddressSpec>();
            FlattenAddress(x.Source, srcs);
            var dsts = new List<AddressSpec>();
            FlattenAddress(x.Destination, dsts);
            var svcs = Services(x);
            foreach (var s in srcs)
            {
                foreach (var d in dsts)
                {
                    int fs = Family(s), fd = Family(d);
                    if (fs != 0 && fd != 0 && fs != fd)
                    {
                        continue;
                    }
                    foreach (var svc in svcs)
                    {
                        int index = _aces.Count;
                        string? expanded = x.UsesObjects
                            ? ConfigText.ChildAce(listName, x, svc.Protocol, s, svc.Sp, d, svc.Dp, svc.IcmpType, svc.IcmpCode)
                            : null;
                        AddLeaf(new AceInfo(index, listName, x.Action, x.RuleId, groupLine, aceLine, remarks, lineNo, x.Inactive) { ExpandedLine = expanded });
                        _l3Slot[index] = _l3.Count;
                        _l3.Add(Leaf(index, s, d, svc));
                    }
                }
            }
        }

        private List<Svc> Services(ExtendedAce x)
        {
            var result = new List<Svc>();
            switch (x.Protocol.Kind)
            {
                case ProtocolKind.Ip:
                    result.Add(new Svc(-1, null, null, -1, -1));
                    break;
                case ProtocolKind.Number:
                    int p = x.Protocol.Number;
                    foreach (var sp in Ports(x.SourcePort))
                    {
                        foreach (var dp in Ports(x.DestinationPort))
                        {
                            result.Add(new Svc(p, sp, dp, x.IcmpType, x.IcmpCode));
                        }
                    }
                    break;
                case ProtocolKind.Object:
                    result.Add(FromSpec(cfg.FindServiceObject(x.Protocol.Name!)!.Service));
                    break;
                default:
                    FlattenServiceGroup(cfg.FindServiceGroup(x.Protocol.Name!)!, result);
                    break;
            }
            return result;
        }

        private static Svc FromSpec(ServiceSpec s) => new(s.Protocol, s.Source, s.Destination, s.IcmpType, s.IcmpCode);

        private void FlattenServiceGroup(ServiceGroup g, List<Svc> into)
        {
            foreach (var m in g.Members)
            {
                switch (m.Kind)
                {
                    case ServiceMemberKind.Port:
                        // A port group used as the protocol operand: its ports are destination ports.
                        if (g.Protocol != PortGroupProtocol.Udp)
                        {
                            into.Add(new Svc(IpProtocol.Tcp, null, m.Port, -1, -1));
                        }
                        if (g.Protocol != PortGroupProtocol.Tcp)
                        {
                            into.Add(new Svc(IpProtocol.Udp, null, m.Port, -1, -1));
                        }
                        break;
                    case ServiceMemberKind.Service:
                        into.Add(FromSpec(m.Service!));
                        break;
                    case ServiceMemberKind.Object:
                        into.Add(FromSpec(cfg.FindServiceObject(m.Name!)!.Service));
                        break;
                    default:
                        FlattenServiceGroup(cfg.FindServiceGroup(m.Name!)!, into);
                        break;
                }
            }
        }

        private List<PortMatch?> Ports(PortSpec? spec)
        {
            var result = new List<PortMatch?>();
            if (spec is null)
            {
                result.Add(null);
            }
            else if (spec.Match is { } m)
            {
                result.Add(m);
            }
            else
            {
                FlattenPortGroup(cfg.FindServiceGroup(spec.GroupName!)!, result);
            }
            return result;
        }

        private void FlattenPortGroup(ServiceGroup g, List<PortMatch?> into)
        {
            foreach (var m in g.Members)
            {
                if (m.Kind == ServiceMemberKind.Port)
                {
                    into.Add(m.Port);
                }
                else
                {
                    FlattenPortGroup(cfg.FindServiceGroup(m.Name!)!, into);
                }
            }
        }

        private void FlattenAddress(AddressSpec a, List<AddressSpec> into)
        {
            switch (a.Kind)
            {
                case AddressKind.Object:
                    into.Add(cfg.FindNetworkObject(a.Name!)!.Value);
                    break;
                case AddressKind.ObjectGroup:
                    foreach (var m in cfg.FindNetworkGroup(a.Name!)!.Members)
                    {
                        FlattenAddress(m, into);
                    }
                    break;
                default:
                    into.Add(a);
                    break;
            }
        }

        private static int Family(AddressSpec a) => a.Kind switch
        {
            AddressKind.Any4 => 4,
            AddressKind.Any6 => 6,
            AddressKind.Host or AddressKind.Subnet or AddressKind.Range => a.Address.IsV4 ? 4 : 6,
            _ => 0,
        };

        private static L3Ace Leaf(int index, AddressSpec src, AddressSpec dst, Svc svc)
        {
            var a = new L3Ace { Index = index, Protocol = (short)svc.Protocol, IcmpType = (short)svc.IcmpType, IcmpCode = (short)svc.IcmpCode };
            (a.SrcLo, a.SrcHi, a.SrcV6Only) = Bounds(src);
            (a.DstLo, a.DstHi, a.DstV6Only) = Bounds(dst);
            a.SpLo = 0;
            a.SpHi = ushort.MaxValue;
            a.DpLo = 0;
            a.DpHi = ushort.MaxValue;
            if (svc.Sp is { } sp)
            {
                a.CheckPorts = true;
                (a.SpLo, a.SpHi, a.SpNegate) = sp.Bounds;
            }
            if (svc.Dp is { } dp)
            {
                a.CheckPorts = true;
                (a.DpLo, a.DpHi, a.DpNegate) = dp.Bounds;
            }
            return a;
        }

        private static readonly IpAddr Max = new(ulong.MaxValue, ulong.MaxValue);

        private static (IpAddr Lo, IpAddr Hi, bool V6Only) Bounds(AddressSpec a)
        {
            switch (a.Kind)
            {
                case AddressKind.Any:
                    return (IpAddr.Zero, Max, false);
                case AddressKind.Any4:
                    return (IpAddr.FromV4(0), IpAddr.FromV4(uint.MaxValue), false);
                case AddressKind.Any6:
                    return (IpAddr.Zero, Max, true);
                case AddressKind.Host:
                    return (a.Address, a.Address, !a.Address.IsV4);
                case AddressKind.Range:
                    return (a.Address, a.Last, !a.Address.IsV4);
                default:
                    var mask = a.Address.IsV4
                        ? IpAddr.V4Mask(a.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - a.PrefixLength))
                        : IpAddr.PrefixMask(a.PrefixLength);
                    var lo = a.Address.And(mask);
                    var hi = new IpAddr(lo.Hi | ~mask.Hi, lo.Lo | ~mask.Lo);
                    return (lo, hi, !a.Address.IsV4);
            }
        }
    }
}
