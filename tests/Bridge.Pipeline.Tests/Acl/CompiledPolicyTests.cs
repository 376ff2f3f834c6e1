using Bridge.Pipeline.Tests.Support;
using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Tests.Config;

namespace Bridge.Pipeline.Tests.Acl;

public class CompiledPolicyTests
{
    private static readonly string[] Ports = ["INSIDE", "OUTSIDE"];

    private const string Interfaces = "interface eth1\n nameif INSIDE\ninterface eth2\n nameif OUTSIDE\n";

    private static CompiledPolicy Compile(string acl, string bind = "access-group A global\n") =>
        CompiledPolicy.Build(BridgeConfig.Parse(Interfaces + acl + bind), Ports);

    private static AclKey Tcp(string src, ushort sp, string dst, ushort dp) => new()
    {
        Protocol = IpProtocol.Tcp, Src = IpAddr.Parse(src), Dst = IpAddr.Parse(dst), SrcPort = sp, DstPort = dp, HasPorts = true,
    };

    private static AclKey Udp(string src, ushort sp, string dst, ushort dp) => Tcp(src, sp, dst, dp) with { Protocol = IpProtocol.Udp };

    private static AclKey Icmp(string src, string dst, byte type, byte code = 0, bool v6 = false) => new()
    {
        Protocol = v6 ? IpProtocol.IcmpV6 : IpProtocol.Icmp, Src = IpAddr.Parse(src), Dst = IpAddr.Parse(dst), IcmpType = type, IcmpCode = code, HasIcmp = true,
    };

    private static AclKey Raw(byte proto, string src, string dst) => new() { Protocol = proto, Src = IpAddr.Parse(src), Dst = IpAddr.Parse(dst) };

    [Fact]
    public void First_match_wins_in_config_order_and_no_match_is_implicit_deny()
    {
        var p = Compile("""
            access-list A extended deny ip host 10.0.0.1 any
            access-list A extended permit ip 10.0.0.0 255.255.255.0 any
            """ + "\n");
        Assert.True(p.HasAccessGroup(0));
        Assert.Equal(0, p.Match(0, Tcp("10.0.0.1", 1, "1.1.1.1", 80)));
        Assert.Equal(AceAction.Deny, p.ActionOf(0));
        Assert.Equal(1, p.Match(0, Tcp("10.0.0.2", 1, "1.1.1.1", 80)));
        Assert.Equal(AceAction.Permit, p.Ace(1).Action);
        Assert.Equal(-1, p.Match(0, Tcp("10.0.1.2", 1, "1.1.1.1", 80)));
    }

    [Fact]
    public void Masks_cover_exactly_their_subnet()
    {
        var p = Compile("access-list A extended permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.128\n");
        Assert.Equal(0, p.Match(0, Raw(1, "192.168.103.0", "192.168.101.0")));
        Assert.Equal(0, p.Match(0, Raw(1, "192.168.103.255", "192.168.101.127")));
        Assert.Equal(-1, p.Match(0, Raw(1, "192.168.103.255", "192.168.101.128")));
        Assert.Equal(-1, p.Match(0, Raw(1, "192.168.104.0", "192.168.101.1")));
        Assert.Equal(-1, p.Match(0, Raw(1, "192.168.102.255", "192.168.101.1")));
    }

    [Fact]
    public void Address_families_are_kept_apart()
    {
        var p = Compile("""
            access-list A extended permit tcp any4 any
            access-list A extended permit tcp any6 2001:db8::/32
            access-list A extended permit udp any any
            access-list A extended deny udp ::/0 any
            """ + "\n");
        Assert.Equal(0, p.Match(0, Tcp("10.0.0.1", 1, "2001:db8::1", 2)));
        Assert.Equal(1, p.Match(0, Tcp("2001:db8:5::1", 1, "2001:db8::1", 2)));
        Assert.Equal(-1, p.Match(0, Tcp("2001:db8:5::1", 1, "2001:db9::1", 2)));
        Assert.Equal(2, p.Match(0, Udp("2001:db8:5::1", 1, "10.0.0.1", 2)));
        Assert.Equal(2, p.Match(0, Udp("10.0.0.1", 1, "10.0.0.2", 2)));
    }

    [Fact]
    public void Ipv6_prefix_does_not_match_ipv4_mapped_keys()
    {
        var p = Compile("access-list A extended permit ip ::/0 any\n");
        Assert.Equal(-1, p.Match(0, Raw(6, "10.0.0.1", "10.0.0.2")));
        Assert.Equal(0, p.Match(0, Raw(6, "fe80::1", "10.0.0.2")));
    }

    [Theory]
    [InlineData("eq www", 80, true)]
    [InlineData("eq www", 81, false)]
    [InlineData("neq 80", 80, false)]
    [InlineData("neq 80", 443, true)]
    [InlineData("lt 1024", 1023, true)]
    [InlineData("lt 1024", 1024, false)]
    [InlineData("gt 1023", 1024, true)]
    [InlineData("gt 1023", 1023, false)]
    [InlineData("range 8000 8080", 8000, true)]
    [InlineData("range 8000 8080", 8080, true)]
    [InlineData("range 8000 8080", 8081, false)]
    public void Destination_port_operators(string op, ushort port, bool matches)
    {
        var p = Compile($"access-list A extended permit tcp any any {op}\n");
        Assert.Equal(matches ? 0 : -1, p.Match(0, Tcp("1.1.1.1", 40000, "2.2.2.2", port)));
    }

    [Fact]
    public void Source_ports_protocol_and_missing_ports()
    {
        var p = Compile("access-list A extended permit udp any eq domain any gt 1023\naccess-list A extended permit ip any any\n");
        Assert.Equal(0, p.Match(0, Udp("1.1.1.1", 53, "2.2.2.2", 5000)));
        Assert.Equal(1, p.Match(0, Udp("1.1.1.1", 54, "2.2.2.2", 5000)));
        Assert.Equal(1, p.Match(0, Tcp("1.1.1.1", 53, "2.2.2.2", 5000)));
        // A non-first fragment carries no ports: a port-constrained ACE cannot claim it.
        Assert.Equal(1, p.Match(0, Udp("1.1.1.1", 53, "2.2.2.2", 5000) with { HasPorts = false }));
    }

    [Fact]
    public void Ip_matches_every_protocol_numbered_ace_only_its_own()
    {
        var p = Compile("access-list A extended permit gre any any\naccess-list A extended permit ip host 1.1.1.1 any\n");
        Assert.Equal(0, p.Match(0, Raw(IpProtocol.Gre, "9.9.9.9", "2.2.2.2")));
        Assert.Equal(-1, p.Match(0, Raw(IpProtocol.Esp, "9.9.9.9", "2.2.2.2")));
        Assert.Equal(1, p.Match(0, Raw(IpProtocol.Esp, "1.1.1.1", "2.2.2.2")));
        Assert.Equal(1, p.Match(0, Raw(200, "1.1.1.1", "2.2.2.2")));
    }

    [Fact]
    public void Icmp_types_and_icmp6_are_distinct()
    {
        var p = Compile("""
            access-list A extended permit icmp any any echo
            access-list A extended permit icmp any any unreachable 4
            access-list A extended permit icmp6 any any echo
            """ + "\n");
        Assert.Equal(0, p.Match(0, Icmp("1.1.1.1", "2.2.2.2", 8)));
        Assert.Equal(-1, p.Match(0, Icmp("1.1.1.1", "2.2.2.2", 0)));
        Assert.Equal(1, p.Match(0, Icmp("1.1.1.1", "2.2.2.2", 3, 4)));
        Assert.Equal(-1, p.Match(0, Icmp("1.1.1.1", "2.2.2.2", 3, 3)));
        Assert.Equal(2, p.Match(0, Icmp("2001:db8::1", "2001:db8::2", 128, v6: true)));
        Assert.Equal(-1, p.Match(0, Icmp("2001:db8::1", "2001:db8::2", 8, v6: true)));
    }

    [Fact]
    public void Object_groups_expand_into_children_with_their_own_indexes()
    {
        var p = Compile("""
            object network WEB
             host 10.0.0.80
            object network POOL
             range 10.1.0.10 10.1.0.20
            object-group network CLIENTS
             network-object host 10.2.0.1
             network-object object POOL
            object-group service PORTS tcp
             port-object eq www
             port-object range 8000 8001
            object-group service MIX
             service-object udp destination eq ntp
             service-object icmp echo
            access-list A extended permit tcp object-group CLIENTS object WEB object-group PORTS
            access-list A extended permit object-group MIX any host 10.0.0.123
            """ + "\n");
        Assert.Equal(6, p.AceCount);
        Assert.Equal(0, p.Match(0, Tcp("10.2.0.1", 5, "10.0.0.80", 80)));
        Assert.Equal(1, p.Match(0, Tcp("10.2.0.1", 5, "10.0.0.80", 8001)));
        Assert.Equal(2, p.Match(0, Tcp("10.1.0.15", 5, "10.0.0.80", 80)));
        Assert.Equal(-1, p.Match(0, Tcp("10.1.0.21", 5, "10.0.0.80", 80)));
        Assert.Equal(-1, p.Match(0, Udp("10.2.0.1", 5, "10.0.0.80", 80)));
        Assert.Equal(4, p.Match(0, Udp("7.7.7.7", 5, "10.0.0.123", 123)));
        Assert.Equal(5, p.Match(0, Icmp("7.7.7.7", "10.0.0.123", 8)));
        var child = p.Ace(3);
        Assert.Equal("access-list A extended permit tcp object-group CLIENTS object WEB object-group PORTS", child.AceLine);
        Assert.Equal("access-list A extended permit tcp range 10.1.0.10 10.1.0.20 host 10.0.0.80 range 8000 8001", child.ExpandedLine);
        Assert.Equal(1, child.Line);
        Assert.Equal(2, p.Ace(4).Line);
    }

    [Fact]
    public void Inactive_aces_never_match_but_keep_their_index()
    {
        var p = Compile("access-list A extended deny ip any any inactive\naccess-list A extended permit ip any any\n");
        Assert.Equal(2, p.AceCount);
        Assert.True(p.Ace(0).Inactive);
        Assert.Equal(1, p.Match(0, Raw(6, "1.1.1.1", "2.2.2.2")));
    }

    [Fact]
    public void Trust_is_a_match_with_its_own_action()
    {
        var p = Compile("access-list A advanced trust esp any any rule-id 7\naccess-list A advanced deny ip any any rule-id 8\n");
        int i = p.Match(0, Raw(IpProtocol.Esp, "1.1.1.1", "2.2.2.2"));
        Assert.Equal(AceAction.Trust, p.ActionOf(i));
        Assert.Equal(7, p.Ace(i).RuleId);
    }

    [Fact]
    public void Interface_list_is_checked_before_the_global_one()
    {
        var p = Compile(
            "access-list G extended permit ip any any\naccess-list O extended deny ip host 6.6.6.6 any\n",
            "access-group G global\naccess-group O in interface OUTSIDE\n");
        Assert.Equal(0, p.Match(0, Raw(6, "6.6.6.6", "2.2.2.2")));
        Assert.Equal(1, p.Match(1, Raw(6, "6.6.6.6", "2.2.2.2")));
        Assert.Equal(0, p.Match(1, Raw(6, "6.6.6.7", "2.2.2.2")));
        Assert.Equal("access-group O in interface OUTSIDE", p.Ace(1).AccessGroupLine);
    }

    [Fact]
    public void Unbound_ports_have_no_access_group()
    {
        var p = Compile("access-list O extended deny ip any any\n", "access-group O in interface OUTSIDE\n");
        Assert.False(p.HasAccessGroup(0));
        Assert.True(p.HasAccessGroup(1));
    }

    [Fact]
    public void Remarks_follow_rule_id_or_precede_the_ace()
    {
        var p = CompiledPolicy.Build(BridgeConfig.Load(RepoFiles.Path("config/lab.conf")), Ports);
        int i = p.Match(0, Icmp("192.168.103.1", "192.168.101.1", 8));
        var ace = p.Ace(i);
        Assert.Equal("access-group CSM_FW_ACL_ global", ace.AccessGroupLine);
        Assert.Equal("access-list CSM_FW_ACL_ advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482 event-log both", ace.AceLine);
        Assert.Equal(
            ["access-list CSM_FW_ACL_ remark rule-id 268436482: ACCESS POLICY: FTD5515 - Mandatory/1", "access-list CSM_FW_ACL_ remark rule-id 268436482: L4 RULE: Allow ICMP"],
            ace.Remarks);
        Assert.Equal(3, ace.Line);
        int back = p.Match(1, Icmp("192.168.101.1", "192.168.103.1", 8));
        Assert.Equal(268436483, p.Ace(back).RuleId);
        int deny = p.Match(0, Icmp("10.0.0.1", "192.168.101.1", 8));
        Assert.Equal(AceAction.Deny, p.Ace(deny).Action);
        Assert.Equal(268434432, p.Ace(deny).RuleId);
        Assert.Equal(2, p.Ace(deny).Remarks.Count);

        var q = Compile("access-list A remark first\naccess-list A remark second\naccess-list A extended permit ip any any\n");
        Assert.Equal(["access-list A remark first", "access-list A remark second"], q.Ace(0).Remarks);
    }

    [Fact]
    public void Match_allocates_nothing()
    {
        var p = CompiledPolicy.Build(BridgeConfig.Load(RepoFiles.Path("config/bridge.conf")), Ports);
        var keys = new[]
        {
            Tcp("192.168.103.5", 40000, "192.168.101.10", 8085),
            Udp("192.168.103.9", 5000, "8.8.8.8", 53),
            Icmp("2001:db8:103::1", "2001:db8:1::1", 128, v6: true),
            Raw(IpProtocol.Gre, "1.1.1.1", "2.2.2.2"),
        };
        long sum = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            sum += p.Match(0, keys[i]) + p.Match(1, keys[i]);
            sum += (int)p.MatchEtherType(0, 0x8137, false, new MacAddr(0x0000_0C11_2233), out _);
        }
        long allocated = SteadyState.AllocatedBytes(() =>
        {
            for (int n = 0; n < 10_000; n++)
            {
                for (int i = 0; i < keys.Length; i++)
                {
                    sum += p.Match(0, keys[i]) + p.Match(1, keys[i]);
                    sum += (int)p.MatchEtherType(0, 0x8137, false, new MacAddr(0x0000_0C11_2233), out int idx) + idx;
                }
            }
        });
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }
}
