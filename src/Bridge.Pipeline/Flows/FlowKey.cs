using System.Runtime.CompilerServices;
using Bridge.Packets;

namespace Bridge.Pipeline.Flows;

/// <summary>
/// A connection's identity with its two ends in canonical order (the smaller address/port first),
/// so both directions of a flow produce the same key. For ICMP echo the identifier stands in for
/// both ports. The bridge group keeps identical tuples in different bridge groups apart.
/// </summary>
public readonly struct FlowKey : IEquatable<FlowKey>
{
    public readonly IpAddr A;
    public readonly IpAddr B;
    public readonly ushort PortA;
    public readonly ushort PortB;
    public readonly byte Protocol;
    public readonly byte Zone;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FlowKey(IpAddr a, ushort portA, IpAddr b, ushort portB, byte protocol, byte zone)
    {
        A = a;
        B = b;
        PortA = portA;
        PortB = portB;
        Protocol = protocol;
        Zone = zone;
    }

    /// <summary>Builds the canonical key; <paramref name="srcIsA"/> tells whether the packet's source became end A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FlowKey Create(IpAddr src, ushort srcPort, IpAddr dst, ushort dstPort, byte protocol, byte zone, out bool srcIsA)
    {
        int c = src.CompareTo(dst);
        srcIsA = c < 0 || (c == 0 && srcPort <= dstPort);
        return srcIsA
            ? new FlowKey(src, srcPort, dst, dstPort, protocol, zone)
            : new FlowKey(dst, dstPort, src, srcPort, protocol, zone);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(FlowKey o) =>
        A.Hi == o.A.Hi && A.Lo == o.A.Lo && B.Hi == o.B.Hi && B.Lo == o.B.Lo &&
        PortA == o.PortA && PortB == o.PortB && Protocol == o.Protocol && Zone == o.Zone;

    public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);

    /// <summary>A cheap mix of all fields; symmetric by construction because the key is canonical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong h = A.Lo * 0x9E3779B97F4A7C15UL;
        h ^= B.Lo + 0x632BE59BD9B4E019UL + (h << 6) + (h >> 2);
        h ^= A.Hi * 0xC2B2AE3D27D4EB4FUL;
        h ^= B.Hi * 0x165667B19E3779F9UL;
        h ^= ((ulong)PortA << 40) | ((ulong)PortB << 24) | ((ulong)Protocol << 8) | Zone;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (int)h ^ (int)(h >> 32);
    }
}
