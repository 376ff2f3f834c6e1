using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Config;

public class ConfigParserTests
{
    [Fact]
    public void Empty_config_has_ASA_defaults()
    {
        var c = BridgeConfig.Empty;
        Assert.Equal("firepower", c.Hostname);
        Assert.Empty(c.Interfaces);
        Assert.Equal(TimeSpan.FromHours(1), c.Timeouts.Conn);
        Assert.Equal(TimeSpan.FromMinutes(2), c.Timeouts.Udp);
        Assert.Equal(TimeSpan.FromSeconds(2), c.Timeouts.Icmp);
        Assert.Equal(TimeSpan.FromMinutes(10), c.Timeouts.TcpHalfClosed);
        Assert.Equal(5, c.MacAgingMinutes);
    }

    [Fact]
    public void Parses_interfaces_with_subinterface_vlan_and_defaults()
    {
        var c = BridgeConfig.Parse("""
            hostname fw-1
            ! comment
            interface eth1.1577
             vlan 1577
             nameif INSIDE
             bridge-group 1

            interface eth2
             nameif OUTSIDE
             bridge-group 1
             mtu 9000
             port-driver pcap
             shutdown
            interface eth3
             vlan 20
            """);
        Assert.Equal("fw-1", c.Hostname);
        Assert.Equal(new InterfaceConfig("eth1", "1577", "INSIDE", 1577, 1, false, 1500), c.Interfaces[0]);
        Assert.Equal(new InterfaceConfig("eth2", null, "OUTSIDE", 0, 1, true, 9000, PortDriver.Pcap), c.Interfaces[1]);
        Assert.Equal(new InterfaceConfig("eth3", null, null, 20, 0, false, 1500), c.Interfaces[2]);
        Assert.Same(c.Interfaces[1], c.FindByNameIf("OUTSIDE"));
        Assert.Null(c.FindByNameIf("outside"));
    }

    [Fact]
    public void Interface_description_is_kept_and_written_first_as_on_ASA()
    {
        var c = BridgeConfig.Parse("interface eth2\n nameif OUTSIDE\n description to the  router, port 7\n", "t.conf");
        Assert.Equal("to the  router, port 7", c.Interfaces[0].Description);
        Assert.StartsWith("interface eth2\n description to the  router, port 7\n nameif OUTSIDE\n", c.ToText("interface"));
        Assert.Equal(c.ToText(), BridgeConfig.Parse(c.ToText(), "again").ToText());
    }

    [Fact]
    public void Snort_rules_and_mode_round_trip()
    {
        var c = BridgeConfig.Parse("snort rules /etc/bridge/rules\nsnort rules local rules/my.rules\nsnort mode inline-tap");
        Assert.Equal(["/etc/bridge/rules", "local rules/my.rules"], c.SnortRules);
        Assert.Equal(SnortMode.InlineTap, c.SnortMode);
        Assert.Equal("snort rules /etc/bridge/rules\nsnort rules local rules/my.rules\nsnort mode inline-tap\n", c.ToText("snort"));
        Assert.Equal(c, BridgeConfig.Parse(c.ToText()));
        Assert.Empty(BridgeConfig.Parse("").SnortRules);
    }

    [Fact]
    public void Metrics_listen_defaults_to_loopback_and_can_be_moved_or_turned_off()
    {
        Assert.Equal("127.0.0.1:9477", BridgeConfig.Parse("").MetricsListen?.ToString());
        Assert.Equal("[::1]:9100", BridgeConfig.Parse("metrics listen [::1]:9100").MetricsListen?.ToString());
        var off = BridgeConfig.Parse("metrics listen 10.0.0.1:9477\nno metrics listen");
        Assert.Null(off.MetricsListen);
        Assert.Equal("no metrics listen\n", off.ToText("metrics"));
        Assert.Equal(off, BridgeConfig.Parse(off.ToText()));
    }

    [Fact]
    public void Parses_objects_and_groups()
    {
        var c = BridgeConfig.Parse("""
            object network H
             host 10.0.0.1
             description the host
            object network N
             subnet 10.1.0.0 255.255.0.0
            object network N6
             subnet 2001:db8::/32
            object network R
             range 10.2.0.1 10.2.0.9
            object service S
             service tcp source range 1024 65535 destination eq www
            object-group network G
             network-object host 10.9.9.9
             network-object 10.8.0.0 255.255.255.0
             network-object object H
             network-object 2001:db8:1::/48
            object-group network G2
             group-object G
            object-group service P tcp-udp
             port-object eq domain
             port-object range 100 200
            object-group service M
             service-object icmp echo
             service-object object S
            """);
        Assert.Equal(AddressSpec.Host(IpAddr.Parse("10.0.0.1")), c.NetworkObjects[0].Value);
        Assert.Equal("the host", c.NetworkObjects[0].Description);
        Assert.Equal(AddressSpec.Subnet(IpAddr.Parse("10.1.0.0"), 16), c.NetworkObjects[1].Value);
        Assert.Equal(AddressSpec.Subnet(IpAddr.Parse("2001:db8::"), 32), c.NetworkObjects[2].Value);
        Assert.Equal(AddressSpec.Range(IpAddr.Parse("10.2.0.1"), IpAddr.Parse("10.2.0.9")), c.NetworkObjects[3].Value);
        Assert.Equal(new ServiceSpec(6, new PortMatch(PortOperator.Range, 1024, 65535), new PortMatch(PortOperator.Eq, 80)), c.ServiceObjects[0].Service);
        Assert.Equal(4, c.NetworkGroups[0].Members.Count);
        Assert.Equal(AddressSpec.ObjectRef("H"), c.NetworkGroups[0].Members[2]);
        Assert.Equal(AddressSpec.GroupRef("G"), c.NetworkGroups[1].Members[0]);
        Assert.Equal(PortGroupProtocol.TcpUdp, c.ServiceGroups[0].Protocol);
        Assert.Equal(new PortMatch(PortOperator.Eq, 53), c.ServiceGroups[0].Members[0].Port);
        Assert.Null(c.ServiceGroups[1].Protocol);
        Assert.Equal(new ServiceSpec(1, IcmpType: 8), c.ServiceGroups[1].Members[0].Service);
    }

    [Fact]
    public void Parses_access_list_entries_in_every_form()
    {
        var c = BridgeConfig.Parse("""
            interface eth1
             nameif inside
            object network WEB
             host 10.0.0.80
            object-group service PORTS tcp
             port-object eq https
            object-group service SVC
             service-object udp destination eq ntp
            access-list A remark rule-id 5: L4 RULE: web
            access-list A advanced permit tcp any4 object WEB object-group PORTS rule-id 5 event-log flow-start
            access-list A advanced trust esp any any
            access-list A advanced permit object-group SVC any6 2001:db8::/32 log
            access-list A extended deny icmp host 10.0.0.1 10.0.0.0 255.0.0.0 echo-reply log errors interval 10 inactive
            access-list A extended permit udp any range 1 1023 any neq 53 event-log both
            access-list A extended permit 132 any any
            access-list E ethertype permit 0x88cc
            access-list E ethertype deny bpdu
            access-group A global
            access-group E in interface inside
            """);
        var a = c.FindAccessList("A")!;
        Assert.Equal(AccessListKind.Extended, a.Kind);
        Assert.Equal(new RemarkLine("rule-id 5: L4 RULE: web"), a.Lines[0]);
        var web = Assert.IsType<ExtendedAce>(a.Lines[1]);
        Assert.True(web.Advanced);
        Assert.Equal(new ProtocolSpec(ProtocolKind.Number, 6), web.Protocol);
        Assert.Equal(AddressSpec.Any4, web.Source);
        Assert.Equal(AddressSpec.ObjectRef("WEB"), web.Destination);
        Assert.Equal(PortSpec.Group("PORTS"), web.DestinationPort);
        Assert.Equal(5, web.RuleId);
        Assert.Equal(EventLogMode.FlowStart, web.EventLog);
        Assert.Equal(AceAction.Trust, Assert.IsType<ExtendedAce>(a.Lines[2]).Action);
        var svc = Assert.IsType<ExtendedAce>(a.Lines[3]);
        Assert.Equal(ProtocolKind.ObjectGroup, svc.Protocol.Kind);
        Assert.Equal(new LogOption(), svc.Log);
        var icmp = Assert.IsType<ExtendedAce>(a.Lines[4]);
        Assert.Equal(0, icmp.IcmpType);
        Assert.Equal(new LogOption(3, 10), icmp.Log);
        Assert.True(icmp.Inactive);
        Assert.Equal(AddressSpec.Subnet(IpAddr.Parse("10.0.0.0"), 8), icmp.Destination);
        var udp = Assert.IsType<ExtendedAce>(a.Lines[5]);
        Assert.Equal(PortSpec.Of(new PortMatch(PortOperator.Range, 1, 1023)), udp.SourcePort);
        Assert.Equal(PortSpec.Of(new PortMatch(PortOperator.Neq, 53)), udp.DestinationPort);
        Assert.Equal(IpProtocol.Sctp, Assert.IsType<ExtendedAce>(a.Lines[6]).Protocol.Number);
        var e = c.FindAccessList("E")!;
        Assert.Equal(AccessListKind.EtherType, e.Kind);
        Assert.Equal(new EtherTypeAce(AceAction.Permit, EtherTypeKind.Number, 0x88cc), e.Lines[0]);
        Assert.Equal([new AccessGroupConfig("A", null), new AccessGroupConfig("E", "inside")], c.AccessGroups);
    }

    [Fact]
    public void Parses_timeouts_on_one_or_several_lines_and_mac_aging()
    {
        var c = BridgeConfig.Parse("timeout conn 2:30:00 udp 0:05:00\ntimeout icmp 0:00:10\ntimeout tcp-half-closed 0:01:00\nmac-address-table aging-time 30\n");
        Assert.Equal(new TimeoutConfig(new TimeSpan(2, 30, 0), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)), c.Timeouts);
        Assert.Equal(30, c.MacAgingMinutes);
    }

    [Theory]
    [InlineData("bridge.conf")]
    [InlineData("lab.conf")]
    public void Example_configs_parse_and_round_trip(string file)
    {
        var path = RepoFiles.Path(Path.Combine("config", file));
        var c = BridgeConfig.Load(path);
        var again = BridgeConfig.Parse(c.ToText(), "round-trip");
        Assert.Equal(c, again);
        Assert.Equal(c.ToText(), again.ToText());
        Assert.Equal(c.Interfaces, again.Interfaces);
        Assert.Equal(c.AccessGroups, again.AccessGroups);
        for (int i = 0; i < c.AccessLists.Count; i++)
        {
            Assert.Equal(c.AccessLists[i].Lines, again.AccessLists[i].Lines);
        }
    }

    [Fact]
    public void Lab_config_is_the_seed_topology()
    {
        var c = BridgeConfig.Load(RepoFiles.Path("config/lab.conf"));
        Assert.Equal(new InterfaceConfig("veth-in", "1577", "INSIDE", 1577, 1, false, 1500), c.FindByNameIf("INSIDE"));
        Assert.Equal(new InterfaceConfig("veth-out", null, "OUTSIDE", 0, 1, false, 1500), c.FindByNameIf("OUTSIDE"));
        Assert.Equal(new AccessGroupConfig("CSM_FW_ACL_", null), Assert.Single(c.AccessGroups));
        var text = c.ToText("access-list");
        Assert.Contains("access-list CSM_FW_ACL_ advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482 event-log both\n", text);
        Assert.Contains("access-list CSM_FW_ACL_ advanced deny ip any any rule-id 268434432\n", text);
    }

    [Fact]
    public void Sections_print_only_their_commands()
    {
        var c = BridgeConfig.Load(RepoFiles.Path("config/bridge.conf"));
        Assert.Equal("hostname bridge-fw1\n", c.ToText("hostname"));
        Assert.Equal("access-group CSM_FW_ACL_ global\naccess-group OUTSIDE_IN in interface OUTSIDE\naccess-group L2_INSIDE in interface INSIDE\n", c.ToText("access-group"));
        Assert.Equal("mac-address-table aging-time 5\n", c.ToText("mac-address-table"));
        Assert.StartsWith("interface eth1.1577\n vlan 1577\n nameif INSIDE\n bridge-group 1\n!\n", c.ToText("interface"));
        Assert.StartsWith("object network WEB-SERVER\n host 192.168.101.10\n description public web server\n", c.ToText("object"));
        Assert.StartsWith("object-group network ADMIN-HOSTS\n", c.ToText("object-group"));
        Assert.Contains("timeout udp 0:02:00\n", c.ToText("timeout"));
        Assert.Throws<ArgumentException>(() => c.ToText("route"));
    }

    [Fact]
    public void Port_and_protocol_names_print_in_ASA_form()
    {
        var c = BridgeConfig.Parse("access-list A extended permit tcp any eq 80 any range 20 ftp\naccess-list A extended permit udp any any eq 514\naccess-list A extended permit 47 any any\n");
        Assert.Equal(
            "access-list A extended permit tcp any eq www any range ftp-data ftp\naccess-list A extended permit udp any any eq syslog\naccess-list A extended permit gre any any\n",
            c.ToText("access-list"));
    }

    [Fact]
    public void Generated_configs_round_trip()
    {
        var rng = new Random(1577);
        for (int n = 0; n < 200; n++)
        {
            var text = ConfigGenerator.Generate(rng);
            var c = BridgeConfig.Parse(text, "generated");
            var again = BridgeConfig.Parse(c.ToText(), "printed");
            Assert.Equal(c, again);
            Assert.Equal(c.Interfaces, again.Interfaces);
            for (int i = 0; i < c.AccessLists.Count; i++)
            {
                Assert.Equal(c.AccessLists[i].Lines, again.AccessLists[i].Lines);
            }
        }
    }

    [Fact]
    public void Configs_that_differ_are_not_equal()
    {
        var a = BridgeConfig.Parse("access-list A extended permit ip any any\n");
        var b = BridgeConfig.Parse("access-list A extended permit ip any4 any\n");
        Assert.NotEqual(a, b);
        Assert.Equal(a, BridgeConfig.Parse("! same\naccess-list A   extended permit ip any any\n"));
    }
}
