using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Scenarios.SeedPing;

/// <summary>
/// The seed document's first scenario: host A (192.168.103.1, INSIDE, vlan 1577) pings host B
/// (192.168.101.1, OUTSIDE, untagged) four times through the bridge, after the usual ARP exchange.
/// </summary>
public sealed class SeedPingScenario
{
    private const string Dir = "SeedPing";

    private static TestBed Bed() => new(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scenarios", Dir, "bridge.conf")))
    {
    };

    private static void Arp(TestBed bed, long ns)
    {
        var who = FrameBuilder.Ethernet(TestBed.MacA, MacAddr.Broadcast).Vlan(1577).Arp(1, TestBed.MacA, TestBed.IpA, new MacAddr(0), TestBed.IpB).Build();
        var reply = FrameBuilder.Ethernet(TestBed.MacB, TestBed.MacA).Arp(2, TestBed.MacB, TestBed.IpB, TestBed.MacA, TestBed.IpA).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, who, ns).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, reply, ns + 100_000).Drop);
    }

    private static List<TraceSink> Ping(TestBed bed, int count)
    {
        var traces = new List<TraceSink>();
        Arp(bed, TestBed.T0 - 1_000_000);
        for (ushort seq = 0; seq < count; seq++)
        {
            long t = TestBed.T0 + seq * 1_000_000_000L;
            var trace = new TraceSink();
            traces.Add(trace);
            Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, seq), t, trace).Drop);
            Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, TestBed.EchoReply(1, seq), t + 600_000).Drop);
        }
        return traces;
    }

    [Fact]
    public void Requests_leave_outside_untagged_and_replies_leave_inside_tagged_1577()
    {
        var bed = Bed();
        Ping(bed, 4);
        var echoes = bed.Sent.Skip(2).ToList();
        Assert.Equal(8, echoes.Count);
        for (int i = 0; i < echoes.Count; i++)
        {
            var info = echoes[i].Decode();
            if (i % 2 == 0)
            {
                Assert.Equal(TestBed.Outside, echoes[i].Port);
                Assert.Equal(0, info.VlanCount);
                Assert.Equal(8, info.IcmpType);
            }
            else
            {
                Assert.Equal(TestBed.Inside, echoes[i].Port);
                Assert.Equal(1, info.VlanCount);
                Assert.Equal(1577, info.OuterVlan);
                Assert.Equal(EtherTypes.Vlan, info.OuterTpid);
                Assert.Equal(0, info.IcmpType);
            }
            Assert.Equal((ushort)(i / 2), info.IcmpSeq);
        }
    }

    [Fact]
    public void One_icmp_flow_and_the_rule_counts_one_hit()
    {
        var bed = Bed();
        Ping(bed, 4);
        long now = TestBed.T0 + 3_000_700_000L;
        Golden.Match(Dir, "expected-show-conn.txt", ShowConn.Render([bed.Path], now));
        Golden.Match(Dir, "expected-show-access-list.txt", ShowAccessList.Render(bed.Snapshot.Policy, bed.Path.AclHits));
        Assert.Equal(1, bed.Path.Flows.Count);
        Assert.Equal("Frame drop:\n\nLast clearing: Never\n\nFlow drop:\n\nLast clearing: Never\n", ShowAspDrop.Render([bed.Path]));
    }

    [Fact]
    public void Trace_of_the_first_packet_matches_the_ftd_shape()
    {
        var bed = Bed();
        bed.Path.Inspector = new ScriptedInspector();
        var traces = Ping(bed, 2);
        Golden.Match(Dir, "expected-trace-packet-1.txt", TraceRenderer.Render(traces[0]));
        Golden.Match(Dir, "expected-trace-packet-3.txt", TraceRenderer.Render(traces[1]));
    }

    [Fact]
    public void Mac_table_learns_both_hosts()
    {
        var bed = Bed();
        Ping(bed, 1);
        Golden.Match(Dir, "expected-show-mac-address-table.txt", ShowMacAddressTable.Render(bed.Path.Macs, bed.Snapshot, TestBed.T0));
    }
}
