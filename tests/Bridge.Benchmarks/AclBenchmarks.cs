using System.Text;
using BenchmarkDotNet.Attributes;
using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;

namespace Bridge.Benchmarks;

/// <summary>
/// An enterprise-shaped access-list: mostly client subnet → server host on a service port, some
/// host pairs, port ranges, UDP services, whole-protocol and ICMP lines, a deny every fifty lines
/// and a handful of <c>any</c> sources, all distinct, no object-groups (one line = one leaf).
/// </summary>
internal static class EnterpriseAcl
{
    private static readonly ushort[] TcpPorts = [22, 25, 80, 88, 110, 135, 143, 389, 443, 445, 636, 993, 1433, 1521, 3306, 3389, 5432, 5985, 8080, 8443];
    private static readonly ushort[] UdpPorts = [53, 67, 123, 161, 389, 514, 1812, 1813];

    public static readonly string[] Ports = ["INSIDE", "OUTSIDE"];

    public static string Config(int aces, int seed = 7)
    {
        var r = new Random(seed);
        int subnets = Math.Max(4, aces / 30);
        int servers = Math.Max(4, aces / 5);
        var sb = new StringBuilder("interface eth1\n nameif INSIDE\ninterface eth2\n nameif OUTSIDE\n");
        for (int i = 0; i < aces; i++)
        {
            string action = i % 50 == 49 ? "deny" : "permit";
            string src = r.Next(50) == 0 ? "any" : r.Next(6) == 0 ? "host " + ClientHost(r.Next(subnets), r.Next(1, 255)) : Subnet(r.Next(subnets));
            string dst = r.Next(10) == 0 ? ServerSubnet(r.Next(servers / 64 + 1)) : "host " + Server(r.Next(servers));
            string service = r.Next(20) switch
            {
                0 => "ip " + src + " " + dst,
                1 => "icmp " + src + " " + dst + " echo",
                2 or 3 => "udp " + src + " " + dst + " eq " + UdpPorts[r.Next(UdpPorts.Length)],
                4 => "tcp " + src + " " + dst + " range " + (8000 + 10 * r.Next(50)) + " " + (8009 + 10 * r.Next(50, 60)),
                _ => "tcp " + src + " " + dst + " eq " + TcpPorts[r.Next(TcpPorts.Length)],
            };
            sb.Append("access-list CSM_FW_ACL_ advanced ").Append(action).Append(' ').Append(service)
                .Append(" rule-id ").Append(268_435_456 + i).Append('\n');
        }
        sb.Append("access-group CSM_FW_ACL_ global\n");
        return sb.ToString();
    }

    public static string ClientHost(int subnet, int host) => $"10.{subnet >> 8}.{subnet & 0xFF}.{host}";

    private static string Subnet(int subnet) => $"10.{subnet >> 8}.{subnet & 0xFF}.0 255.255.255.0";

    public static string Server(int server) => $"172.16.{server >> 6}.{(server & 63) + 1}";

    private static string ServerSubnet(int block) => $"172.16.{block}.0 255.255.255.192";

    /// <summary>A TCP key built from the operands of one ACE of the policy (by reading its leaf back).</summary>
    public static AclKey KeyFor(string config, int line)
    {
        string ace = config.Split('\n')[2 + 2 + line];
        var words = ace.Split(' ');
        // access-list NAME advanced ACTION PROTO SRC... DST... [eq P | range A B | echo] rule-id N
        int at = 4;
        byte proto = words[at] switch { "ip" => IpProtocol.Tcp, "tcp" => IpProtocol.Tcp, "udp" => IpProtocol.Udp, _ => IpProtocol.Icmp };
        at++;
        var src = Operand(words, ref at);
        var dst = Operand(words, ref at);
        ushort port = words[at] switch { "eq" or "range" => ushort.Parse(words[at + 1]), _ => 9 };
        return new AclKey
        {
            Protocol = proto,
            Src = src,
            Dst = dst,
            SrcPort = 50_000,
            DstPort = port,
            HasPorts = proto != IpProtocol.Icmp,
            HasIcmp = proto == IpProtocol.Icmp,
            IcmpType = 8,
        };
    }

    private static IpAddr Operand(string[] words, ref int at)
    {
        switch (words[at])
        {
            case "any":
                at++;
                return IpAddr.Parse("10.200.0.1");
            case "host":
                at += 2;
                return IpAddr.Parse(words[at - 1]);
            default:
                // A subnet: its first host.
                var net = IpAddr.Parse(words[at]);
                at += 2;
                return IpAddr.FromV4(net.V4 + 1);
        }
    }
}

/// <summary>
/// Access-list lookup at 10, 1 000 and 10 000 ACEs: the linear scan (the reference) against the
/// bit-vector classifier (built here for every size, below the production threshold too, to show
/// where it starts to pay). Keys: one matching the last ACE (the scan's worst hit), one hitting the
/// implicit deny although every field alone matches many ACEs, and one matching an early ACE.
/// Allocated must read "-".
/// </summary>
[MemoryDiagnoser]
public class AclBenchmarks
{
    [Params(10, 1000, 10000)]
    public int Aces { get; set; }

    private CompiledPolicy _policy = null!;
    private AclKey _last;
    private AclKey _deny;
    private AclKey _early;

    [GlobalSetup]
    public void Setup()
    {
        string config = EnterpriseAcl.Config(Aces);
        _policy = CompiledPolicy.Build(BridgeConfig.Parse(config), EnterpriseAcl.Ports, classifierThreshold: 0);
        // The last line whose key no earlier line claims: the scan's worst hit.
        for (int line = Aces - 1; line >= 0; line--)
        {
            var key = EnterpriseAcl.KeyFor(config, line);
            if (_policy.MatchLinear(0, key) == line)
            {
                _last = key;
                break;
            }
        }
        _early = EnterpriseAcl.KeyFor(config, 0);
        // Implicit deny: source of one line, destination of another, port of a third, until no line takes it.
        var r = new Random(11);
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            var a = EnterpriseAcl.KeyFor(config, r.Next(Aces));
            var b = EnterpriseAcl.KeyFor(config, r.Next(Aces));
            var c = EnterpriseAcl.KeyFor(config, r.Next(Aces));
            var key = a with { Dst = b.Dst, DstPort = c.DstPort, Protocol = IpProtocol.Tcp, HasPorts = true, HasIcmp = false };
            if (_policy.MatchLinear(0, key) < 0)
            {
                _deny = key;
                break;
            }
        }
        foreach (var key in (AclKey[])[_last, _early, _deny])
        {
            if (_policy.Match(0, key) != _policy.MatchLinear(0, key))
            {
                throw new InvalidOperationException("classifier and scan disagree");
            }
        }
        Console.WriteLine($"// {Aces} ACEs: last-hit leaf {_policy.MatchLinear(0, _last)}, early leaf {_policy.MatchLinear(0, _early)}, deny {_policy.MatchLinear(0, _deny)}, classifier {_policy.ClassifierBytes} B");
    }

    [Benchmark]
    public int LinearLast() => _policy.MatchLinear(0, _last);

    [Benchmark]
    public int ClassifierLast() => _policy.Match(0, _last);

    [Benchmark]
    public int LinearDeny() => _policy.MatchLinear(0, _deny);

    [Benchmark]
    public int ClassifierDeny() => _policy.Match(0, _deny);

    [Benchmark]
    public int LinearEarly() => _policy.MatchLinear(0, _early);

    [Benchmark]
    public int ClassifierEarly() => _policy.Match(0, _early);
}

/// <summary>
/// Compiling the enterprise list (parse excluded: the config is parsed once at setup) with the
/// production threshold: what a config apply costs. Allocation is the measurement (the compiled
/// policy); the classifier's own size is printed at setup.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("allocation-measured")]
[CategoriesColumn]
public class AclCompileBenchmarks
{
    [Params(1000, 10000)]
    public int Aces { get; set; }

    private BridgeConfig _config = null!;

    [GlobalSetup]
    public void Setup()
    {
        _config = BridgeConfig.Parse(EnterpriseAcl.Config(Aces));
        var policy = CompiledPolicy.Build(_config, EnterpriseAcl.Ports);
        int bitsets = policy.SegmentsOf(0)[0].Classifier?.Bitsets ?? 0;
        Console.WriteLine($"// {Aces} ACEs: classifier {policy.ClassifierBytes} B, {bitsets} distinct bitsets");
    }

    [Benchmark]
    public long Compile() => CompiledPolicy.Build(_config, EnterpriseAcl.Ports).AceCount;
}
