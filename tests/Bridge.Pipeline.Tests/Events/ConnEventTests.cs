using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Events;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Tests.Events;

public class ConnEventTests
{
    private static readonly RuntimeSnapshot Snap = RuntimeSnapshot.Build(BridgeConfig.Parse("""
        interface eth1
         nameif INSIDE
         bridge-group 1
        interface eth2
         nameif OUTSIDE
         bridge-group 1
        access-list ACL extended deny tcp any any eq 23
        access-list ACL extended permit ip any any
        access-group ACL global
        """));

    private static FlowKey Key(string src, ushort sp, string dst, ushort dp, byte proto, out bool srcIsA) =>
        FlowKey.Create(IpAddr.Parse(src), sp, IpAddr.Parse(dst), dp, proto, 1, out srcIsA);

    private static ConnEvent Tcp(ConnEventKind kind) => new()
    {
        Kind = kind,
        Key = Key("192.168.103.1", 40000, "192.168.101.1", 80, 6, out bool srcIsA),
        InitiatorIsA = srcIsA,
        FlowId = 7,
        InitiatorIf = 0,
        ResponderIf = 1,
        Bytes = 1234,
        DurationNs = 3_725_000_000_000,
        Reason = TeardownReason.TcpFins,
        AceIndex = -1,
    };

    [Fact]
    public void Tcp_built_and_teardown_read_like_asa_302013_and_302014()
    {
        Assert.Equal("%BRIDGE-6-302013: Built inbound TCP connection 7 for OUTSIDE:192.168.101.1/80 (192.168.101.1/80) to INSIDE:192.168.103.1/40000 (192.168.103.1/40000)",
            AsaSyslog.Format(Tcp(ConnEventKind.Built), Snap));
        Assert.Equal("%BRIDGE-6-302014: Teardown TCP connection 7 for OUTSIDE:192.168.101.1/80 to INSIDE:192.168.103.1/40000 duration 1:02:05 bytes 1234 TCP FINs",
            AsaSyslog.Format(Tcp(ConnEventKind.Teardown), Snap));
    }

    [Fact]
    public void Deny_names_the_entry_or_the_group_of_the_implicit_deny()
    {
        var e = Tcp(ConnEventKind.Deny);
        e.Key = Key("192.168.103.1", 40000, "192.168.101.1", 23, 6, out e.InitiatorIsA);
        e.AceIndex = 0;
        string line = AsaSyslog.Format(e, Snap)!;
        Assert.StartsWith("%BRIDGE-4-106023: Deny tcp src INSIDE:192.168.103.1/40000 dst OUTSIDE:192.168.101.1/23 by access-group \"ACL\" [0x", line);
        Assert.DoesNotContain("[0x0, 0x0]", line);
        e.AceIndex = -1;
        Assert.EndsWith("by access-group \"ACL\" [0x0, 0x0]", AsaSyslog.Format(e, Snap));
    }

    [Fact]
    public void Ring_drops_and_counts_when_full_and_reads_in_order()
    {
        var ring = new ConnEventRing(4);
        for (uint i = 0; i < 6; i++) ring.TryWrite(new ConnEvent { FlowId = i });
        Assert.Equal(2, ring.Lost);
        for (uint i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(out var e));
            Assert.Equal(i, e.FlowId);
        }
        Assert.False(ring.TryRead(out _));
    }

    [Fact]
    public void Idle_removal_is_worded_by_tcp_state()
    {
        var f = new Flow { Key = Key("10.0.0.1", 1, "10.0.0.2", 2, 6, out _), Tcp = TcpState.SynSent };
        Assert.Equal(TeardownReason.SynTimeout, FlowTable.TimeoutReason(f));
        f.Tcp = TcpState.HalfClosed;
        Assert.Equal(TeardownReason.FinTimeout, FlowTable.TimeoutReason(f));
        f.Tcp = TcpState.Established;
        Assert.Equal(TeardownReason.ConnTimeout, FlowTable.TimeoutReason(f));
    }
}
