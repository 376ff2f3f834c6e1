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

    // Static readonly: the JIT treats them as constants in optimised code.
    private static readonly ulong SeedX = RandomSeed();
    private static readonly ulong SeedY = RandomSeed();

    private static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        // Odd, and never zero: the multiply must not wipe the other word.
        return BitConverter.ToUInt64(bytes) | 1;
    }

    /// <summary>
    /// A mix of all fields (symmetric by construction because the key is canonical) whose low bits,
    /// the bucket index, depend on every input bit: the fields are folded into two words and those
    /// multiplied 64 × 64 → 128 bits, high half xor low half. The previous mix left the low seven
    /// bits independent of end A's port, so flows differing only in their source port — a scan, or
    /// one client's connections — shared a hundredth of the buckets, and under churn the chains
    /// cost the worker 60 % of its time. The two words are keyed with a per-process random seed, so
    /// that nobody outside can choose addresses that all land in one bucket.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong tail = PortA | ((ulong)PortB << 16) | ((ulong)Protocol << 32) | ((ulong)Zone << 40);
        ulong x = A.Lo ^ ulong.RotateLeft(A.Hi, 23) ^ (tail * 0x9E3779B97F4A7C15UL);
        ulong y = B.Lo ^ ulong.RotateLeft(B.Hi, 41);
        ulong high = Math.BigMul(x ^ SeedX, y ^ SeedY, out ulong low);
        ulong h = high ^ low;
        return (int)h ^ (int)(h >> 32);
    }
}
