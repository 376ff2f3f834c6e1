using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Stages;

public sealed class PipelineBehaviourTests
{
    private const string Open = """
        interface eth1
         nameif INSIDE
         bridge-group 1
        interface eth2
         nameif OUTSIDE
         bridge-group 1
        """;

    [Fact]
    public void No_access_group_permits_everything()
    {
        var bed = new TestBed(Open);
        var syn = TestBed.FromA(tagged: false).Ipv4(TestBed.IpA, TestBed.IpB).Tcp(1, 2, TcpFlags.Syn).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, syn).Drop);
        Assert.Equal(TestBed.Outside, bed.Sent.Single().Port);
        Assert.Equal(syn, bed.Sent.Single().Bytes);
    }

    [Fact]
    public void Untagged_frame_on_a_vlan_interface_is_not_classified()
    {
        var bed = new TestBed();
        Assert.Equal(DropReason.InvalidEncap, bed.Send(TestBed.Inside, TestBed.FromA(tagged: false).Ipv4(TestBed.IpA, TestBed.IpB).IcmpEcho(true, 1, 1).Build()).Drop);
    }

    [Fact]
    public void Vlan_translation_keeps_tpid_and_pcp()
    {
        var bed = new TestBed("""
            interface eth1.100
             vlan 100
             nameif INSIDE
             bridge-group 1
            interface eth2.200
             vlan 200
             nameif OUTSIDE
             bridge-group 1
            """);
        var f = FrameBuilder.Ethernet(TestBed.MacA, TestBed.MacB).Vlan(100, pcp: 5, tpid: EtherTypes.QinQ).Ipv4(TestBed.IpA, TestBed.IpB).Udp(1, 2, new byte[8]).Build();
        Assert.Equal(DropReason.None, bed.Send(0, f).Drop);
        var info = bed.Sent.Single().Decode();
        Assert.Equal(200, info.OuterVlan);
        Assert.Equal(5, info.OuterPcp);
        Assert.Equal(EtherTypes.QinQ, info.OuterTpid);
    }

    [Fact]
    public void Dry_run_checks_everything_and_changes_nothing()
    {
        var bed = new TestBed();
        var trace = new TraceSink();
        var outcome = bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1), trace: trace, dryRun: true);
        Assert.Equal(DropReason.None, outcome.Drop);
        Assert.Empty(bed.Sent);
        Assert.Equal(0, bed.Path.Flows.Count);
        Assert.Empty(bed.Path.Macs.Snapshot(TestBed.T0));
        Assert.All(bed.Path.AclHits, h => Assert.Equal(0, h));
        Assert.Contains("New flow created with id 1, packet dispatched to next module", TraceRenderer.Render(trace));
        // The real packet then gets the id the dry run announced.
        bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1));
        Assert.Equal(1, bed.Path.Flows.Count);
        Assert.Contains("ICMP OUTSIDE 192.168.101.1:1 INSIDE 192.168.103.1:1", ShowConn.Render([bed.Path], TestBed.T0));
    }

    [Fact]
    public void Dropped_dry_run_counts_nothing()
    {
        var bed = new TestBed();
        bed.Send(TestBed.Outside, TestBed.EchoReply(3, 3), dryRun: true);
        Assert.Equal(0, bed.Drops(DropReason.InspectIcmpSeqNumNotMatched));
    }

    [Fact]
    public void Icmp_flow_expires_after_the_icmp_timeout()
    {
        var bed = new TestBed();
        bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1));
        bed.Send(TestBed.Outside, TestBed.EchoReply(1, 1), TestBed.T0 + 1000);
        Assert.Equal(1, bed.Path.Flows.Count);
        bed.Path.Sweep(TestBed.T0 + 1_000_000_000, 1 << 20);
        Assert.Equal(1, bed.Path.Flows.Count);
        bed.Path.Sweep(TestBed.T0 + 3_000_000_000, 1 << 20);
        Assert.Equal(0, bed.Path.Flows.Count);
        // The late reply has no connection any more, and no rule lets B open one.
        Assert.Equal(DropReason.AclDrop, bed.Send(TestBed.Outside, TestBed.EchoReply(1, 1), TestBed.T0 + 3_000_000_000).Drop);
    }

    [Fact]
    public void Icmp_error_needs_an_existing_connection()
    {
        var bed = new TestBed();
        var quoted = TestBed.FromA(tagged: false).Ipv4(TestBed.IpA, TestBed.IpB).Udp(5353, 33434, new byte[4]).Build().AsSpan(14).ToArray();
        var error = TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Icmp(3, 3, [0, 0, 0, 0, .. quoted]).Build();
        Assert.Equal(DropReason.InspectIcmpErrorNoExistingConn, bed.Send(TestBed.Outside, error).Drop);
        var udp = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp(5353, 33434, new byte[4]).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, udp).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, error).Drop);
        Assert.Equal(1, bed.Path.Flows.Count);
    }

    [Fact]
    public void Source_route_option_is_invalid_ip_option_and_router_alert_passes()
    {
        var bed = new TestBed();
        var lsrr = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, options: [131, 7, 4, 10, 0, 0, 1, 0]).IcmpEcho(true, 1, 1).Build();
        Assert.Equal(DropReason.InvalidIpOption, bed.Send(TestBed.Inside, lsrr).Drop);
        var ra = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB, options: [148, 4, 0, 0]).IcmpEcho(true, 2, 1).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, ra).Drop);
    }

    [Fact]
    public void Ethertype_ace_lets_ipx_through()
    {
        var bed = new TestBed(Open + "\naccess-list L2 ethertype permit ipx\naccess-group L2 in interface INSIDE\n");
        var ipx = TestBed.FromA(tagged: false).Raw(EtherTypes.Ipx, new byte[46]).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, ipx).Drop);
        Assert.Equal(DropReason.L2Acl, bed.Send(TestBed.Outside, TestBed.FromB().Raw(EtherTypes.Ipx, new byte[46]).Build()).Drop);
    }

    [Fact]
    public void Host_move_is_counted_and_same_port_destination_is_dropped()
    {
        var bed = new TestBed(Open);
        var aToB = TestBed.FromA(tagged: false).Ipv4(TestBed.IpA, TestBed.IpB).Udp(1, 2).Build();
        var bToA = TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Udp(2, 1).Build();
        bed.Send(TestBed.Inside, aToB);
        bed.Send(TestBed.Outside, bToA);
        // B's MAC now shows up on INSIDE: a move; a frame from INSIDE to a MAC learned on INSIDE stays there.
        Assert.Equal(DropReason.L2SameLanPort, bed.Send(TestBed.Inside, FrameBuilder.Ethernet(TestBed.MacB, TestBed.MacA).Ipv4(TestBed.IpB, TestBed.IpA).Udp(2, 1).Build()).Drop);
        Assert.Equal(1, bed.Path.Macs.Moves);
    }

    [Fact]
    public void Link_down_on_egress_is_interface_down()
    {
        var bed = new TestBed();
        bed.DownPorts.Add(TestBed.Outside);
        Assert.Equal(DropReason.InterfaceDown, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1)).Drop);
    }

    [Fact]
    public void Broadcast_goes_to_the_other_member()
    {
        var bed = new TestBed();
        var arp = FrameBuilder.Ethernet(TestBed.MacA, MacAddr.Broadcast).Vlan(1577).Arp(1, TestBed.MacA, TestBed.IpA, new MacAddr(0), TestBed.IpB).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, arp).Drop);
        var sent = bed.Sent.Single();
        Assert.Equal(TestBed.Outside, sent.Port);
        Assert.Equal(0, sent.Decode().VlanCount);
    }
}
