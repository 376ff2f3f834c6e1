using Bridge.Packets;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Scenarios.Drops;

/// <summary>Every drop of the foundation issue, each counted under its FTD asp-drop keyword.</summary>
public sealed class DropScenarios
{
    private const string Dir = "Drops";

    private static TestBed Bed() => new(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scenarios", Dir, "bridge.conf")));

    private static readonly IpAddr Outsider = IpAddr.Parse("10.9.9.9");

    [Fact]
    public void Acl_deny_is_acl_drop_with_its_rule_in_the_trace()
    {
        var bed = Bed();
        var syn = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 23, TcpFlags.Syn, seq: 1000).Build();
        var trace = new TraceSink();
        var outcome = bed.Send(TestBed.Inside, syn, trace: trace);
        Assert.Equal(DropReason.AclDrop, outcome.Drop);
        Assert.Equal(1, bed.Drops(DropReason.AclDrop));
        Assert.Empty(bed.Sent);
        Golden.Match(Dir, "expected-trace-acl-drop.txt", TraceRenderer.Render(trace));
    }

    [Fact]
    public void Default_action_rule_drops_unlisted_sources()
    {
        var bed = Bed();
        var ping = TestBed.FromA().Ipv4(Outsider, TestBed.IpB).IcmpEcho(true, 1, 1).Build();
        Assert.Equal(DropReason.AclDrop, bed.Send(TestBed.Inside, ping).Drop);
        Assert.Contains("rule-id 268434432 (hitcnt=1)", Pipeline.Acl.ShowAccessList.Render(bed.Snapshot.Policy, bed.Path.AclHits));
    }

    [Fact]
    public void Tcp_without_syn_is_tcp_not_syn()
    {
        var bed = Bed();
        var ack = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 80, TcpFlags.Ack, seq: 1000, ack: 5).Build();
        Assert.Equal(DropReason.TcpNotSyn, bed.Send(TestBed.Inside, ack).Drop);
        Assert.Equal(0, bed.Path.Flows.Count);
    }

    [Fact]
    public void Unsolicited_echo_reply_is_inspect_icmp_seq_num_not_matched()
    {
        var bed = Bed();
        Assert.Equal(DropReason.InspectIcmpSeqNumNotMatched, bed.Send(TestBed.Outside, TestBed.EchoReply(7, 1)).Drop);
        // A reply with a sequence number nobody asked for is dropped on an existing connection too.
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(7, 2)).Drop);
        Assert.Equal(DropReason.InspectIcmpSeqNumNotMatched, bed.Send(TestBed.Outside, TestBed.EchoReply(7, 3)).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Outside, TestBed.EchoReply(7, 2)).Drop);
        Assert.Equal(2, bed.Drops(DropReason.InspectIcmpSeqNumNotMatched));
    }

    [Fact]
    public void Ipx_frame_is_l2_acl()
    {
        var bed = Bed();
        var ipx = TestBed.FromA().Raw(EtherTypes.Ipx, new byte[46]).Build();
        var trace = new TraceSink();
        Assert.Equal(DropReason.L2Acl, bed.Send(TestBed.Inside, ipx, trace: trace).Drop);
        string text = TraceRenderer.Render(trace);
        Assert.Contains("Drop-reason: (l2_acl) FP L2 rule drop", text);
        Assert.DoesNotContain("output-interface", text);
    }

    [Fact]
    public void Truncated_ipv4_is_invalid_ip_header()
    {
        var bed = Bed();
        var full = TestBed.EchoRequest(1, 1);
        var truncated = full.AsSpan(0, 18 + 12).ToArray(); // tagged Ethernet + 12 bytes of the IPv4 header
        Assert.Equal(DropReason.InvalidIpHeader, bed.Send(TestBed.Inside, truncated).Drop);
        Assert.Equal(1, bed.Drops(DropReason.InvalidIpHeader));
    }

    [Fact]
    public void Show_asp_drop_lists_each_reason_once_with_its_keyword()
    {
        var bed = Bed();
        bed.Send(TestBed.Inside, TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40000, 23, TcpFlags.Syn).Build());
        bed.Send(TestBed.Inside, TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Tcp(40001, 80, TcpFlags.Ack).Build());
        bed.Send(TestBed.Outside, TestBed.EchoReply(9, 9));
        bed.Send(TestBed.Inside, TestBed.FromA().Raw(EtherTypes.Ipx, new byte[46]).Build());
        bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1).AsSpan(0, 30).ToArray());
        Golden.Match(Dir, "expected-show-asp-drop.txt", ShowAspDrop.Render([bed.Path]));
    }
}
