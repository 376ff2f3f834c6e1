using System.Buffers.Binary;

namespace Bridge.Packets;

/// <summary>
/// The RFC 1071 one's-complement checksum used by IPv4, ICMP, TCP, UDP and ICMPv6. Span based
/// and allocation free so the data path can verify or patch checksums per packet.
/// Partial sums are carried as unfolded 64-bit accumulators so several pieces (pseudo-header,
/// header, payload) can be added before the single final fold.
/// </summary>
public static class InternetChecksum
{
    /// <summary>Checksum of <paramref name="data"/>, ready to be written into a header.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    /// <summary>
    /// True when <paramref name="data"/>, checksum field included, sums to all ones, which is how
    /// a receiver verifies a header without zeroing the field first.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> data) => Fold(Add(0, data)) == 0xFFFF;

    /// <summary>
    /// Adds <paramref name="data"/> to a running sum. An odd trailing byte is padded with zero
    /// on the right, so only the last piece of a checksummed region may have odd length.
    /// </summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        // 32-bit big-endian words into a 64-bit accumulator: end-around carries are deferred to
        // the fold, which is equivalent for one's-complement addition and 2x fewer iterations.
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i));
        }
        if (i + 2 <= data.Length)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i));
            i += 2;
        }
        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }
        return sum;
    }

    /// <summary>Folds a running sum to 16 bits (not complemented).</summary>
    public static ushort Fold(ulong sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }

    /// <summary>Folds and complements: the value that goes in the checksum field.</summary>
    public static ushort Finish(ulong sum) => (ushort)~Fold(sum);

    /// <summary>Partial sum of the IPv4 pseudo-header (RFC 793 / 768).</summary>
    public static ulong PseudoHeaderV4(uint srcHostOrder, uint dstHostOrder, byte protocol, int length) =>
        (ulong)srcHostOrder + dstHostOrder + protocol + (uint)length;

    /// <summary>Partial sum of the IPv6 pseudo-header (RFC 8200 §8.1).</summary>
    public static ulong PseudoHeaderV6(IpAddr src, IpAddr dst, byte nextHeader, int length) =>
        (src.Hi >> 32) + (src.Hi & 0xFFFF_FFFF) + (src.Lo >> 32) + (src.Lo & 0xFFFF_FFFF)
        + (dst.Hi >> 32) + (dst.Hi & 0xFFFF_FFFF) + (dst.Lo >> 32) + (dst.Lo & 0xFFFF_FFFF)
        + (uint)length + nextHeader;

    /// <summary>Transport checksum (TCP, UDP) of <paramref name="segment"/> over IPv4.</summary>
    public static ushort ComputeV4(IpAddr src, IpAddr dst, byte protocol, ReadOnlySpan<byte> segment) =>
        Finish(Add(PseudoHeaderV4(src.V4, dst.V4, protocol, segment.Length), segment));

    /// <summary>Transport checksum (TCP, UDP, ICMPv6) of <paramref name="segment"/> over IPv6.</summary>
    public static ushort ComputeV6(IpAddr src, IpAddr dst, byte nextHeader, ReadOnlySpan<byte> segment) =>
        Finish(Add(PseudoHeaderV6(src, dst, nextHeader, segment.Length), segment));

    /// <summary>Verifies a transport segment (checksum field included) over IPv4.</summary>
    public static bool VerifyV4(IpAddr src, IpAddr dst, byte protocol, ReadOnlySpan<byte> segment) =>
        Fold(Add(PseudoHeaderV4(src.V4, dst.V4, protocol, segment.Length), segment)) == 0xFFFF;

    /// <summary>Verifies a transport segment (checksum field included) over IPv6.</summary>
    public static bool VerifyV6(IpAddr src, IpAddr dst, byte nextHeader, ReadOnlySpan<byte> segment) =>
        Fold(Add(PseudoHeaderV6(src, dst, nextHeader, segment.Length), segment)) == 0xFFFF;
}
