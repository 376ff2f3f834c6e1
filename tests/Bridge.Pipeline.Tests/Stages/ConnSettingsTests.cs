using Bridge.Packets;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Trace;
using Bridge.Pipeline.Tests.Support;

namespace Bridge.Pipeline.Tests.Stages;

/// <summary>CONN-SETTINGS: conn-max and embryonic-conn-max of the global service policy.</summary>
public sealed class ConnSettingsTests
{
    private static string Config(string settings) => TestBed.SeedConfig + $"""

        policy-map global_policy
         class class-default
        {settings}
        service-policy global_policy global
        """;

    private static byte[] Syn(ushort srcPort, byte host = 1) =>
        TestBed.FromA().Ipv4(IpAddr.Parse($"192.168.103.{host}"), TestBed.IpB).Tcp(srcPort, 80, TcpFlags.Syn, 1000, 0).Build();

    private static long Counter(TestBed bed, string stage, string name) => bed.Path.Counters[CounterRegistry.Declare(stage, name, "").Index];

    [Fact]
    public void A_syn_flood_holds_at_most_the_embryonic_limit_and_an_established_connection_keeps_flowing()
    {
        var bed = new TestBed(Config("  set connection embryonic-conn-max 50"));
        // One real connection first: SYN, SYN-ACK, ACK.
        var a = (byte[] f) => bed.Send(TestBed.Inside, f).Drop;
        Assert.Equal(DropReason.None, a(TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 443, TcpFlags.Syn, 1, 0).Build()));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, TestBed.FromB().Ipv4(TestBed.IpB, TestBed.IpA).Tcp(443, 40000, TcpFlags.Syn | TcpFlags.Ack, 900, 2).Build()).Drop);
        Assert.Equal(DropReason.None, a(TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 443, TcpFlags.Ack, 2, 901).Build()));
        Assert.Equal(0, bed.Path.Flows.Embryonic);

        // 1 000 SYNs from changing sources and ports: 50 become embryonic connections, the rest are refused.
        int refused = 0;
        for (int i = 0; i < 1000; i++)
        {
            if (a(Syn((ushort)(1024 + i), (byte)(2 + i % 200))) == DropReason.TcpConnLimit) refused++;
        }
        Assert.Equal(950, refused);
        Assert.Equal(50, bed.Path.Flows.Embryonic);
        Assert.Equal(51, bed.Path.Flows.Count);
        Assert.Equal(950, bed.Drops(DropReason.TcpConnLimit));
        Assert.Equal(950, Counter(bed, "CONN-SETTINGS", "embryonic_limit"));

        // The established connection is untouched by the flood.
        Assert.Equal(DropReason.None, a(TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 443, TcpFlags.Ack | TcpFlags.Psh, 2, 901, payload: new byte[100]).Build()));

        // Embryonic entries time out after 0:00:30 (ASA's default), and new SYNs are taken again.
        bed.Path.Sweep(TestBed.T0 + 31_000_000_000L, bed.Path.Flows.Capacity);
        Assert.Equal(0, bed.Path.Flows.Embryonic);
        Assert.Equal(DropReason.None, a(Syn(5000)));
    }

    [Fact]
    public void Conn_max_refuses_any_new_connection_beyond_it_as_conn_limit()
    {
        var bed = new TestBed(Config("  set connection conn-max 3"));
        for (int i = 0; i < 3; i++)
            Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Syn((ushort)(2000 + i))).Drop);
        Assert.Equal(DropReason.ConnLimit, bed.Send(TestBed.Inside, Syn(2003)).Drop);
        Assert.Equal(DropReason.ConnLimit, bed.Send(TestBed.Inside, TestBed.EchoRequest(7, 1)).Drop);
        Assert.Equal(2, Counter(bed, "CONN-SETTINGS", "conn_limit"));
    }

    [Fact]
    public void Each_worker_enforces_its_share_of_a_box_wide_limit()
    {
        // Two workers: each holds ceil(5 / 2) = 3.
        var bed = new TestBed(Config("  set connection embryonic-conn-max 5"), workerCount: 2);
        int taken = 0;
        for (int i = 0; i < 10; i++)
        {
            if (bed.Send(TestBed.Inside, Syn((ushort)(3000 + i))).Drop == DropReason.None) taken++;
        }
        Assert.Equal(3, taken);
    }

    [Fact]
    public void The_tracer_shows_the_policy_and_why_a_syn_was_refused()
    {
        var bed = new TestBed(Config("  set connection embryonic-conn-max 1\n  set connection timeout embryonic 0:00:10"));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Syn(4000)).Drop);
        var trace = new TraceSink();
        var outcome = bed.Send(TestBed.Inside, Syn(4001), trace: trace, dryRun: true);
        Assert.Equal(DropReason.TcpConnLimit, outcome.Drop);
        var phase = Assert.Single(trace.Phases, p => p.Type == "CONN-SETTINGS");
        Assert.False(phase.Allowed);
        Assert.Equal(["policy-map global_policy", " class class-default", "  set connection embryonic-conn-max 1", "  set connection timeout embryonic 0:00:10", "service-policy global_policy global"], phase.Config);
        Assert.Contains("Embryonic connection limit reached: 1", phase.Info[0]);
        // The dry run counted nothing.
        Assert.Equal(0, Counter(bed, "CONN-SETTINGS", "embryonic_limit"));
    }

    [Fact]
    public void The_embryonic_timeout_of_the_policy_replaces_the_default()
    {
        var bed = new TestBed(Config("  set connection timeout embryonic 0:00:05"));
        Assert.Equal(5_000_000_000L, bed.Snapshot.Timeouts.EmbryonicNs);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Syn(4500)).Drop);
        bed.Path.Sweep(TestBed.T0 + 4_000_000_000L, bed.Path.Flows.Capacity);
        Assert.Equal(1, bed.Path.Flows.Count);
        bed.Path.Sweep(TestBed.T0 + 6_000_000_000L, bed.Path.Flows.Capacity);
        Assert.Equal(0, bed.Path.Flows.Count);
        Assert.Equal(FlowTimeouts.DefaultEmbryonicNs, new TestBed().Snapshot.Timeouts.EmbryonicNs);
    }

    [Fact]
    public void A_first_packet_that_is_not_a_syn_is_refused_by_inspect_not_counted_against_the_limit()
    {
        var bed = new TestBed(Config("  set connection embryonic-conn-max 1"));
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Syn(6000)).Drop);
        var ack = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(6001, 80, TcpFlags.Ack, 1, 1).Build();
        Assert.Equal(DropReason.TcpNotSyn, bed.Send(TestBed.Inside, ack).Drop);
        Assert.Equal(0, Counter(bed, "CONN-SETTINGS", "embryonic_limit"));
    }
}
