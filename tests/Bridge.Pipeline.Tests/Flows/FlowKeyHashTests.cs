using Bridge.Packets;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Tests.Flows;

/// <summary>
/// The flow table's bucket index is the key hash's low bits: keys that differ in one field only —
/// a client's source ports, a scan's addresses — must still spread over the buckets, or chains grow
/// and every lookup and removal walks them.
/// </summary>
public sealed class FlowKeyHashTests
{
    private const int Buckets = 1 << 17; // a 65 536-slot table's buckets
    private static readonly IpAddr Client = IpAddr.Parse("10.77.1.10");
    private static readonly IpAddr Server = IpAddr.Parse("10.77.2.10");

    public static TheoryData<string> Families => new() { "source port", "destination port", "source address", "IPv6 source address", "both ports" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Keys_differing_in_one_field_spread_over_the_buckets(string family)
    {
        var chains = new int[Buckets];
        const int Keys = 65_536;
        for (int i = 0; i < Keys; i++)
        {
            var key = family switch
            {
                "source port" => FlowKey.Create(Client, (ushort)i, Server, 9, 17, 1, out _),
                "destination port" => FlowKey.Create(Client, 40000, Server, (ushort)i, 6, 1, out _),
                "source address" => FlowKey.Create(IpAddr.Parse($"10.{i >> 8 & 255}.{i & 255}.1"), 40000, Server, 80, 6, 1, out _),
                "IPv6 source address" => FlowKey.Create(IpAddr.Parse($"2001:db8::{i:x}"), 40000, IpAddr.Parse("2001:db8:1::1"), 443, 6, 1, out _),
                _ => FlowKey.Create(Client, (ushort)i, Server, (ushort)(65535 - i), 17, 1, out _),
            };
            chains[key.GetHashCode() & (Buckets - 1)]++;
        }
        int used = chains.Count(c => c > 0);
        int longest = chains.Max();
        // Random placement of 65 536 keys in 131 072 buckets uses ~39 % of them, longest chain ~8.
        Assert.True(used > Buckets * 0.35, $"{family}: {used} of {Buckets} buckets used");
        Assert.True(longest <= 12, $"{family}: a chain of {longest}");
    }

    [Fact]
    public void Both_directions_of_a_flow_hash_alike()
    {
        var ab = FlowKey.Create(Client, 40000, Server, 80, 6, 1, out bool forward);
        var ba = FlowKey.Create(Server, 80, Client, 40000, 6, 1, out bool reverse);
        Assert.NotEqual(forward, reverse);
        Assert.Equal(ab, ba);
        Assert.Equal(ab.GetHashCode(), ba.GetHashCode());
    }
}
