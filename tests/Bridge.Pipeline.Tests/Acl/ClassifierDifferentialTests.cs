using Bridge.Pipeline.Tests.Support;
using System.Text;
using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Acl;

/// <summary>
/// The bit-vector classifier against the linear scan (the reference) on random policies and keys
/// biased to the policies' own boundaries (first and last address of every operand and the ones
/// just outside, port edges, ICMP type/code edges). Fixed seeds, so a failure reproduces.
/// </summary>
public class ClassifierDifferentialTests
{
    private static readonly string[] Ports = ["INSIDE", "OUTSIDE", "DMZ"];

    private const string Interfaces = "interface eth1\n nameif INSIDE\ninterface eth2\n nameif OUTSIDE\ninterface eth3\n nameif DMZ\n";

    [Theory]
    [InlineData(1, 50, 4000)]
    [InlineData(2, 50, 4000)]
    [InlineData(3, 50, 4000)]
    [InlineData(4, 50, 4000)]
    [InlineData(5, 50, 4000)]
    [InlineData(6, 10, 5000)]
    public void Classifier_returns_the_linear_scans_leaf_for_every_key(int seed, int policies, int keysPerPolicy)
    {
        var r = new Random(seed);
        long compared = 0;
        for (int p = 0; p < policies; p++)
        {
            // Long lists on the last seed, where the classifier meets object-group expansions in the hundreds.
            var gen = new PolicyGenerator(r, maxLines: seed == 6 ? 400 : r.Next(1, 120));
            string text = gen.Generate();
            var cfg = BridgeConfig.Parse(text);
            var classified = CompiledPolicy.Build(cfg, Ports, classifierThreshold: 0);
            var defaulted = CompiledPolicy.Build(cfg, Ports);
            for (int k = 0; k < keysPerPolicy; k++)
            {
                var key = gen.Key();
                for (int port = 0; port < Ports.Length; port++)
                {
                    if (!classified.HasAccessGroup(port))
                    {
                        continue;
                    }
                    int expected = classified.MatchLinear(port, key);
                    int actual = classified.Match(port, key);
                    if (actual != expected)
                    {
                        Assert.Fail($"seed {seed} policy {p} port {Ports[port]}: classifier {actual}, linear {expected} for {Describe(key)}\n{text}");
                    }
                    Assert.Equal(expected, defaulted.Match(port, key));
                    compared++;
                }
            }
        }
        Assert.True(compared >= policies * keysPerPolicy / 2, $"only {compared} comparisons");
    }

    [Fact]
    public void Long_lists_get_a_classifier_and_short_ones_do_not()
    {
        var sb = new StringBuilder(Interfaces);
        for (int i = 0; i < CompiledPolicy.ClassifierThreshold + 1; i++)
        {
            sb.Append("access-list G extended permit tcp host 10.0.0.").Append(i).Append(" any eq 80\n");
        }
        sb.Append("access-list S extended deny ip host 10.0.0.1 any\naccess-group G global\naccess-group S in interface DMZ\n");
        var p = CompiledPolicy.Build(BridgeConfig.Parse(sb.ToString()), Ports);
        Assert.True(p.ClassifierBytes > 0);
        var key = new AclKey { Protocol = IpProtocol.Tcp, Src = IpAddr.Parse("10.0.0.1"), Dst = IpAddr.Parse("1.2.3.4"), SrcPort = 1, DstPort = 80, HasPorts = true };
        Assert.Equal(1, p.Match(0, key));
        // DMZ: its own short list (scanned) first, then the global one (classified).
        Assert.Equal(CompiledPolicy.ClassifierThreshold + 1, p.Match(2, key));
        Assert.Equal(5, p.Match(2, key with { Src = IpAddr.Parse("10.0.0.5") }));
        Assert.Equal(-1, p.Match(2, key with { Src = IpAddr.Parse("10.0.0.200") }));
        Assert.Equal(-1, p.Match(0, key with { DstPort = 81 }));

        var small = CompiledPolicy.Build(BridgeConfig.Parse(Interfaces + "access-list G extended permit ip any any\naccess-group G global\n"), Ports);
        Assert.Equal(0, small.ClassifierBytes);
    }

    [Fact]
    public void Lists_past_sixteen_thousand_leaves_span_several_summary_words()
    {
        // 64 blocks of 256 leaves fill one summary word; 17 000 leaves need two.
        var sb = new StringBuilder(Interfaces);
        for (int i = 0; i < 17_000; i++)
        {
            sb.Append("access-list G extended ").Append(i % 7 == 6 ? "deny" : "permit").Append(" tcp host 10.")
                .Append(i >> 8).Append('.').Append(i & 0xFF).Append(".1 any eq ").Append(1 + (i % 50)).Append('\n');
        }
        sb.Append("access-group G global\n");
        var p = CompiledPolicy.Build(BridgeConfig.Parse(sb.ToString()), Ports);
        Assert.True(p.ClassifierBytes > 0);
        var r = new Random(3);
        for (int k = 0; k < 20_000; k++)
        {
            int i = k < 1000 ? 16_999 - k : r.Next(17_000);
            var key = new AclKey
            {
                Protocol = IpProtocol.Tcp,
                Src = IpAddr.Parse($"10.{i >> 8}.{i & 0xFF}.{(r.Next(4) == 0 ? 2 : 1)}"),
                Dst = IpAddr.Parse("192.0.2.1"),
                SrcPort = 1000,
                DstPort = (ushort)(1 + (i % 50) + (r.Next(4) == 0 ? 1 : 0)),
                HasPorts = true,
            };
            Assert.Equal(p.MatchLinear(0, key), p.Match(0, key));
        }
    }

    [Fact]
    public void A_classifier_past_its_byte_budget_is_not_built()
    {
        var sb = new StringBuilder(Interfaces);
        for (int i = 0; i < 300; i++)
        {
            sb.Append("access-list G extended permit ip host 10.0.").Append(i >> 8).Append('.').Append(i & 0xFF).Append(" any\n");
        }
        sb.Append("access-group G global\n");
        var p = CompiledPolicy.Build(BridgeConfig.Parse(sb.ToString()), Ports);
        var leaves = p.SegmentsOf(0)[0].Aces;
        // 300 leaves: two 256-bit blocks (64 bytes) per bitset, about 300 distinct bitsets.
        Assert.Null(BitVectorClassifier.Build(leaves, maxBitsetBytes: 64 * 100));
        var built = BitVectorClassifier.Build(leaves, maxBitsetBytes: 64 * 1000);
        Assert.NotNull(built);
        Assert.Equal(299, built.Match(new AclKey { Protocol = 47, Src = IpAddr.Parse("10.0.1.43"), Dst = IpAddr.Parse("1.1.1.1") }));
    }

    [Fact]
    public void Classifier_match_allocates_nothing()
    {
        var gen = new PolicyGenerator(new Random(42), maxLines: 300);
        var p = CompiledPolicy.Build(BridgeConfig.Parse(gen.Generate()), Ports, classifierThreshold: 0);
        var keys = new AclKey[64];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = gen.Key();
        }
        long sum = 0;
        // Warm every path measured below (all three ports, long enough for tiered compilation to
        // settle), so the measurement sees the steady state only.
        for (int n = 0; n < 500; n++)
        {
            foreach (var k in keys)
            {
                sum += p.Match(0, k) + p.Match(1, k) + p.Match(2, k);
            }
        }
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            for (int n = 0; n < 2_000; n++)
            {
                foreach (var k in keys)
                {
                    sum += p.Match(0, k) + p.Match(1, k) + p.Match(2, k);
                }
            }
        }));
        Assert.NotEqual(long.MinValue, sum);
    }

    private static string Describe(in AclKey k) =>
        $"proto {k.Protocol} {k.Src} -> {k.Dst} ports {(k.HasPorts ? $"{k.SrcPort}->{k.DstPort}" : "none")} icmp {(k.HasIcmp ? $"{k.IcmpType}/{k.IcmpCode}" : "none")}";

    /// <summary>Random valid configs over a small address and port universe, so operands overlap a lot.</summary>
    private sealed class PolicyGenerator(Random r, int maxLines)
    {
        private static readonly string[] Operators = ["eq", "neq", "lt", "gt", "range"];
        private static readonly int[] Protocols = [IpProtocol.Tcp, IpProtocol.Udp, IpProtocol.Icmp, IpProtocol.IcmpV6, IpProtocol.Gre, IpProtocol.Esp, 132, 0, 255];

        private readonly List<IpAddr> _v4 = [];
        private readonly List<IpAddr> _v6 = [];
        private readonly List<ushort> _ports = [0, 1, 65534, 65535];
        private readonly List<(byte Type, byte Code)> _icmp = [(0, 0), (8, 0), (255, 255)];
        private readonly List<string> _v4Objects = [];
        private readonly List<string> _v6Objects = [];
        private readonly List<string> _anyGroups = [];
        private readonly List<(string Name, int Protocol)> _portGroups = [];
        private readonly List<string> _serviceGroups = [];
        private readonly List<string> _serviceObjects = [];

        public string Generate()
        {
            var sb = new StringBuilder(Interfaces);
            int objects = r.Next(0, 8);
            for (int i = 0; i < objects; i++)
            {
                bool v6 = r.Next(3) == 0;
                string name = "N" + i;
                sb.Append("object network ").Append(name).Append('\n').Append(' ').Append(ObjectBody(v6)).Append('\n');
                (v6 ? _v6Objects : _v4Objects).Add(name);
            }
            int groups = r.Next(0, 5);
            for (int i = 0; i < groups; i++)
            {
                string name = "G" + i;
                sb.Append("object-group network ").Append(name).Append('\n');
                int members = r.Next(1, 5);
                for (int m = 0; m < members; m++)
                {
                    // Groups may mix families: the compiler drops v4 x v6 children.
                    bool v6 = r.Next(3) == 0;
                    var objs = v6 ? _v6Objects : _v4Objects;
                    sb.Append(" network-object ");
                    if (objs.Count > 0 && r.Next(3) == 0)
                    {
                        sb.Append("object ").Append(objs[r.Next(objs.Count)]);
                    }
                    else if (r.Next(2) == 0)
                    {
                        sb.Append("host ").Append(Address(v6));
                    }
                    else
                    {
                        sb.Append(Subnet(v6));
                    }
                    sb.Append('\n');
                }
                if (_anyGroups.Count > 0 && r.Next(3) == 0)
                {
                    sb.Append(" group-object ").Append(_anyGroups[r.Next(_anyGroups.Count)]).Append('\n');
                }
                _anyGroups.Add(name);
            }
            for (int i = 0; i < r.Next(0, 3); i++)
            {
                string name = "P" + i;
                int protocol = r.Next(3) switch { 0 => IpProtocol.Tcp, 1 => IpProtocol.Udp, _ => -1 };
                sb.Append("object-group service ").Append(name).Append(' ').Append(protocol switch { IpProtocol.Tcp => "tcp", IpProtocol.Udp => "udp", _ => "tcp-udp" }).Append('\n');
                for (int m = r.Next(1, 4); m > 0; m--)
                {
                    sb.Append(r.Next(2) == 0 ? $" port-object eq {Port()}\n" : $" port-object range {RangeOf()}\n");
                }
                _portGroups.Add((name, protocol));
            }
            for (int i = 0; i < r.Next(0, 3); i++)
            {
                string name = "S" + i;
                sb.Append("object service ").Append(name).Append("\n service ").Append(Service()).Append('\n');
                _serviceObjects.Add(name);
            }
            for (int i = 0; i < r.Next(0, 3); i++)
            {
                string name = "M" + i;
                sb.Append("object-group service ").Append(name).Append('\n');
                for (int m = r.Next(1, 4); m > 0; m--)
                {
                    if (_serviceObjects.Count > 0 && r.Next(4) == 0)
                    {
                        sb.Append(" service-object object ").Append(_serviceObjects[r.Next(_serviceObjects.Count)]).Append('\n');
                    }
                    else
                    {
                        sb.Append(" service-object ").Append(Service()).Append('\n');
                    }
                }
                _serviceGroups.Add(name);
            }

            string[] lists = ["GL", "IN", "DZ"];
            foreach (string list in lists)
            {
                int lines = r.Next(1, maxLines + 1);
                for (int i = 0; i < lines; i++)
                {
                    sb.Append(Ace(list)).Append('\n');
                }
            }
            if (r.Next(5) != 0) sb.Append("access-group GL global\n");
            if (r.Next(2) == 0) sb.Append("access-group IN in interface INSIDE\n");
            if (r.Next(2) == 0) sb.Append("access-group DZ in interface DMZ\n");
            return sb.ToString();
        }

        private string Ace(string list)
        {
            bool advanced = r.Next(4) == 0;
            string action = advanced && r.Next(4) == 0 ? "trust" : r.Next(3) == 0 ? "deny" : "permit";
            var sb = new StringBuilder("access-list ").Append(list).Append(advanced ? " advanced " : " extended ").Append(action).Append(' ');
            bool v6 = r.Next(4) == 0;
            int kind = r.Next(10);
            int proto = -1;
            if (kind == 0 && _serviceObjects.Count > 0)
            {
                sb.Append("object ").Append(_serviceObjects[r.Next(_serviceObjects.Count)]);
                proto = -2;
            }
            else if (kind == 1 && _serviceGroups.Count > 0)
            {
                sb.Append("object-group ").Append(_serviceGroups[r.Next(_serviceGroups.Count)]);
                proto = -2;
            }
            else if (kind <= 3)
            {
                sb.Append("ip");
            }
            else
            {
                proto = Protocols[r.Next(Protocols.Length)];
                sb.Append(proto);
            }
            bool ports = proto is 6 or 17;
            sb.Append(' ').Append(AceAddress(v6));
            if (ports && r.Next(4) == 0)
            {
                sb.Append(' ').Append(PortOperand(proto));
            }
            sb.Append(' ').Append(AceAddress(v6));
            if (ports && r.Next(3) != 0)
            {
                sb.Append(' ').Append(PortOperand(proto));
            }
            if (proto is 1 or 58 && r.Next(3) != 0)
            {
                var (type, code) = Icmp();
                sb.Append(' ').Append(type);
                if (r.Next(2) == 0) sb.Append(' ').Append(code);
            }
            if (r.Next(8) == 0) sb.Append(" inactive");
            return sb.ToString();
        }

        private string PortOperand(int proto)
        {
            if (_portGroups.Count > 0 && r.Next(4) == 0)
            {
                // A port group must be of the ACE's protocol, or tcp-udp.
                var (name, protocol) = _portGroups[r.Next(_portGroups.Count)];
                if (protocol < 0 || protocol == proto)
                {
                    return "object-group " + name;
                }
            }
            return PortMatchText();
        }

        private string PortMatchText()
        {
            string op = Operators[r.Next(Operators.Length)];
            return op switch
            {
                "range" => "range " + RangeOf(),
                "lt" => "lt " + Math.Max((ushort)1, Port()),
                "gt" => "gt " + Math.Min((ushort)65534, Port()),
                _ => op + " " + Port(),
            };
        }

        private string Service()
        {
            switch (r.Next(4))
            {
                case 0:
                    var (type, code) = Icmp();
                    return r.Next(2) == 0 ? $"icmp {type}" : $"icmp {type} {code}";
                case 1:
                    return "gre";
                default:
                    var sb = new StringBuilder(r.Next(2) == 0 ? "tcp" : "udp");
                    if (r.Next(3) == 0) sb.Append(" source ").Append(PortMatchText());
                    if (r.Next(3) != 0) sb.Append(" destination ").Append(PortMatchText());
                    return sb.ToString();
            }
        }

        private string AceAddress(bool v6)
        {
            int pick = r.Next(12);
            var objs = v6 ? _v6Objects : _v4Objects;
            return pick switch
            {
                0 => "any",
                1 => v6 ? "any6" : "any4",
                2 or 3 => "host " + Address(v6),
                4 when objs.Count > 0 => "object " + objs[r.Next(objs.Count)],
                5 when _anyGroups.Count > 0 => "object-group " + _anyGroups[r.Next(_anyGroups.Count)],
                _ => Subnet(v6),
            };
        }

        private string ObjectBody(bool v6)
        {
            switch (r.Next(3))
            {
                case 0:
                    return "host " + Address(v6);
                case 1:
                    return "subnet " + Subnet(v6);
                default:
                    var a = NewAddress(v6);
                    var b = NewAddress(v6);
                    if (a.CompareTo(b) > 0) (a, b) = (b, a);
                    Remember(a, v6);
                    Remember(b, v6);
                    return $"range {a} {b}";
            }
        }

        private string Subnet(bool v6)
        {
            if (v6)
            {
                // Short prefixes around :: cover the IPv4-mapped block, which v6 operands must not match.
                int len = r.Next(6) switch { 0 => 0, 1 => 64, 2 => 80, _ => r.Next(96, 129) };
                var a = NewAddress(true).And(IpAddr.PrefixMask(len));
                var hi = new IpAddr(a.Hi | ~IpAddr.PrefixMask(len).Hi, a.Lo | ~IpAddr.PrefixMask(len).Lo);
                Remember(a, true);
                Remember(hi, true);
                return $"{a}/{len}";
            }
            int bits = r.Next(5) switch { 0 => r.Next(0, 17), _ => r.Next(16, 33) };
            uint mask = bits == 0 ? 0 : uint.MaxValue << (32 - bits);
            uint net = NewAddress(false).V4 & mask;
            Remember(IpAddr.FromV4(net), false);
            Remember(IpAddr.FromV4(net | ~mask), false);
            return $"{IpAddr.FromV4(net)} {IpAddr.FromV4(mask)}";
        }

        private string Address(bool v6)
        {
            var a = NewAddress(v6);
            Remember(a, v6);
            return a.ToString();
        }

        // A small universe (10.0.0.0/22, 2001:db8::/118 and a little around ::) so operands overlap.
        private IpAddr NewAddress(bool v6)
        {
            if (!v6)
            {
                return IpAddr.FromV4(0x0A00_0000u + (uint)r.Next(1024));
            }
            return r.Next(5) == 0
                ? new IpAddr(0, (ulong)r.Next(1, 1 << 20))
                : new IpAddr(0x2001_0DB8_0000_0000UL, (ulong)r.Next(1024));
        }

        private void Remember(IpAddr a, bool v6) => (v6 ? _v6 : _v4).Add(a);

        private ushort Port()
        {
            ushort p = r.Next(4) switch
            {
                0 => (ushort)r.Next(65536),
                1 => (ushort)r.Next(1020, 1030),
                _ => (ushort)r.Next(1, 100),
            };
            _ports.Add(p);
            return p;
        }

        private string RangeOf()
        {
            ushort a = Port(), b = Port();
            return a <= b ? $"{a} {b}" : $"{b} {a}";
        }

        private (byte, byte) Icmp()
        {
            var t = ((byte)r.Next(4) switch { 0 => (byte)r.Next(256), _ => (byte)r.Next(0, 12) }, (byte)r.Next(0, 6));
            _icmp.Add(t);
            return t;
        }

        /// <summary>A key: mostly values the policy names (and their neighbours), sometimes anything.</summary>
        public AclKey Key()
        {
            bool v6 = r.Next(4) == 0;
            byte proto = r.Next(3) switch
            {
                0 => (byte)r.Next(256),
                _ => (byte)Protocols[r.Next(Protocols.Length)],
            };
            bool hasPorts = proto is 6 or 17 or 132 ? r.Next(8) != 0 : r.Next(16) == 0;
            bool hasIcmp = proto is 1 or 58 ? r.Next(8) != 0 : r.Next(16) == 0;
            var (type, code) = _icmp[r.Next(_icmp.Count)];
            if (r.Next(4) == 0)
            {
                type = (byte)(type + r.Next(-1, 2));
                code = (byte)(code + r.Next(-1, 2));
            }
            return new AclKey
            {
                Protocol = proto,
                Src = KeyAddress(v6),
                Dst = KeyAddress(r.Next(10) == 0 ? !v6 : v6),
                SrcPort = KeyPort(),
                DstPort = KeyPort(),
                HasPorts = hasPorts,
                IcmpType = type,
                IcmpCode = code,
                HasIcmp = hasIcmp,
            };
        }

        private IpAddr KeyAddress(bool v6)
        {
            var pool = v6 ? _v6 : _v4;
            if (pool.Count == 0 || r.Next(6) == 0)
            {
                return r.Next(8) == 0 ? new IpAddr((ulong)r.NextInt64(), (ulong)r.NextInt64()) : NewAddressNoRemember(v6);
            }
            var a = pool[r.Next(pool.Count)];
            return r.Next(3) switch
            {
                0 => a,
                1 => a.Lo == ulong.MaxValue ? a : new IpAddr(a.Hi, a.Lo + 1),
                _ => a.Lo == 0 ? a : new IpAddr(a.Hi, a.Lo - 1),
            };
        }

        private IpAddr NewAddressNoRemember(bool v6) => v6
            ? new IpAddr(0x2001_0DB8_0000_0000UL, (ulong)r.Next(1024))
            : IpAddr.FromV4(0x0A00_0000u + (uint)r.Next(1024));

        private ushort KeyPort()
        {
            ushort p = _ports[r.Next(_ports.Count)];
            return r.Next(3) switch
            {
                0 => p,
                1 => (ushort)(p + 1),
                _ => (ushort)(p - 1),
            };
        }
    }
}
