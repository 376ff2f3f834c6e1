using Bridge.Packets;
using Bridge.Pipeline.Events;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Tests.Support;

namespace Bridge.Pipeline.Tests.Flows;

/// <summary>A full connection table gives up the longest-idle flow (then the oldest) for a new one.</summary>
public sealed class FlowTableEvictionTests
{
    private static readonly IpAddr Client = IpAddr.Parse("192.168.103.1");
    private static readonly IpAddr Server = IpAddr.Parse("192.168.101.1");
    private const long S = 1_000_000_000L;

    private static FlowKey Key(ushort port) => FlowKey.Create(Client, port, Server, 53, 17, 1, out _);

    private static FlowTable Full(int capacity, Func<int, long> createdAt)
    {
        var table = new FlowTable(capacity);
        for (int i = 0; i < capacity; i++)
            Assert.True(table.Insert(Key((ushort)(10000 + i)), true, createdAt(i)) >= 0);
        return table;
    }

    [Fact]
    public void The_longest_idle_flow_of_the_sample_goes_first()
    {
        var table = Full(16, i => 100 * S);
        // Every flow but port 10007 saw a packet recently.
        for (int i = 0; i < 16; i++)
        {
            if (i != 7) table[table.Lookup(Key((ushort)(10000 + i)))].LastNs = 110 * S;
        }
        int slot = table.InsertEvicting(Key(20000), true, 111 * S, FlowTimeouts.Default, out bool evicted);
        Assert.True(slot >= 0);
        Assert.True(evicted);
        Assert.Equal(-1, table.Lookup(Key(10007)));
        Assert.Equal(16, table.Count);
        Assert.Equal(1, table.Evicted);
    }

    [Fact]
    public void Among_flows_idle_equally_long_the_oldest_goes_first()
    {
        // Created one second apart, the last packet of each at the same instant.
        var table = Full(8, i => (100 + (i * 5 % 8)) * S);
        for (int i = 0; i < 8; i++) table[table.Lookup(Key((ushort)(10000 + i)))].LastNs = 200 * S;
        table.InsertEvicting(Key(20000), true, 201 * S, FlowTimeouts.Default, out _);
        // i * 5 % 8 == 0 for i == 0: that flow was created first.
        Assert.Equal(-1, table.Lookup(Key(10000)));
    }

    [Fact]
    public void A_flow_past_its_idle_timeout_is_timed_out_not_evicted_and_the_event_says_which()
    {
        var table = Full(4, i => 100 * S);
        var ring = new ConnEventRing(16);
        table.Events = ring;
        table.InsertEvicting(Key(20000), true, 100 * S + FlowTimeouts.Default.UdpNs + S, FlowTimeouts.Default, out bool evicted);
        Assert.False(evicted);
        Assert.Equal(0, table.Evicted);
        Assert.True(ring.TryRead(out var e));
        Assert.Equal(TeardownReason.ConnTimeout, e.Reason);

        // Nothing idle past a timeout: an eviction, reported as such.
        table = Full(4, i => 100 * S);
        table.Events = ring;
        table.InsertEvicting(Key(20001), true, 101 * S, FlowTimeouts.Default, out evicted);
        Assert.True(evicted);
        Assert.True(ring.TryRead(out e));
        Assert.Equal(TeardownReason.Evicted, e.Reason);
        Assert.Equal("Conn-table full eviction", AsaSyslog.Reason(e.Reason));
    }

    [Fact]
    public void A_full_table_takes_a_hundred_thousand_new_flows_with_constant_work_and_no_allocation()
    {
        var table = Full(4096, i => i);
        var source = IpAddr.Parse("198.18.0.1");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            var key = FlowKey.Create(source, (ushort)i, Server, (ushort)(i >> 16), 17, 1, out _);
            Assert.True(table.InsertEvicting(key, true, 5000 + i, FlowTimeouts.Default, out _) >= 0);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(4096, table.Count);
        Assert.Equal(100_000, table.Evicted);
    }

    [Fact]
    public void The_data_path_evicts_when_its_table_is_full_and_counts_it()
    {
        var bed = new TestBed(flowCapacity: 8);
        for (ushort i = 0; i < 20; i++)
        {
            var frame = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp((ushort)(30000 + i), 53, new byte[8]).Build();
            Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, frame, TestBed.T0 + i * S).Drop);
        }
        Assert.Equal(8, bed.Path.Flows.Count);
        Assert.Equal(12, bed.Path.Flows.Evicted);
        Assert.Equal(0, bed.Drops(DropReason.UnableToCreateFlow));
    }
}
