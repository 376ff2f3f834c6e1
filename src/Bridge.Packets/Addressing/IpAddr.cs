using System.Buffers.Binary;
using System.Net;

namespace Bridge.Packets;

/// <summary>
/// An IPv4 or IPv6 address as two 64-bit halves, so that flow keys and ACL matches compare
/// integers instead of objects. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d).
/// </summary>
public readonly struct IpAddr : IEquatable<IpAddr>, IComparable<IpAddr>
{
    private const ulong V4MappedPrefix = 0x0000_FFFF_0000_0000UL;

    public readonly ulong Hi;
    public readonly ulong Lo;

    public IpAddr(ulong hi, ulong lo)
    {
        Hi = hi;
        Lo = lo;
    }

    public static readonly IpAddr Zero = default;

    public static IpAddr FromV4(uint hostOrder) => new(0, V4MappedPrefix | hostOrder);

    public static IpAddr FromV4(ReadOnlySpan<byte> fourBytes) => FromV4(BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    public static IpAddr FromV6(ReadOnlySpan<byte> sixteenBytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes), BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes.Slice(8)));

    public bool IsV4 => Hi == 0 && (Lo & 0xFFFF_FFFF_0000_0000UL) == V4MappedPrefix;

    /// <summary>The IPv4 address in host order; meaningful only when <see cref="IsV4"/>.</summary>
    public uint V4 => (uint)Lo;

    public void WriteV4(Span<byte> dest) => BinaryPrimitives.WriteUInt32BigEndian(dest, V4);

    public void WriteV6(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt64BigEndian(dest, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(dest.Slice(8), Lo);
    }

    public static IpAddr Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{text}' is not an IP address");

    public static bool TryParse(ReadOnlySpan<char> text, out IpAddr addr)
    {
        if (!IPAddress.TryParse(text, out var ip))
        {
            addr = default;
            return false;
        }
        addr = From(ip);
        return true;
    }

    public static IpAddr From(IPAddress ip)
    {
        Span<byte> b = stackalloc byte[16];
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            ip.TryWriteBytes(b, out _);
            return FromV4(b);
        }
        ip.TryWriteBytes(b, out _);
        return FromV6(b);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> b = stackalloc byte[16];
        if (IsV4)
        {
            WriteV4(b);
            return new IPAddress(b.Slice(0, 4));
        }
        WriteV6(b);
        return new IPAddress(b);
    }

    /// <summary>Bitwise AND, used for mask and prefix matching.</summary>
    public IpAddr And(IpAddr mask) => new(Hi & mask.Hi, Lo & mask.Lo);

    /// <summary>A mask of <paramref name="bits"/> leading ones in the 128-bit space.</summary>
    public static IpAddr PrefixMask(int bits)
    {
        if (bits <= 0) return default;
        if (bits >= 128) return new IpAddr(ulong.MaxValue, ulong.MaxValue);
        if (bits <= 64) return new IpAddr(ulong.MaxValue << (64 - bits), 0);
        return new IpAddr(ulong.MaxValue, ulong.MaxValue << (128 - bits));
    }

    /// <summary>An IPv4 netmask (e.g. 255.255.255.0) expressed in the mapped 128-bit space.</summary>
    public static IpAddr V4Mask(uint hostOrderMask) => new(ulong.MaxValue, 0xFFFF_FFFF_0000_0000UL | hostOrderMask);

    public bool Equals(IpAddr other) => Hi == other.Hi && Lo == other.Lo;

    public override bool Equals(object? obj) => obj is IpAddr o && Equals(o);

    public override int GetHashCode() => HashCode.Combine(Hi, Lo);

    public int CompareTo(IpAddr other) => Hi != other.Hi ? Hi.CompareTo(other.Hi) : Lo.CompareTo(other.Lo);

    public static bool operator ==(IpAddr a, IpAddr b) => a.Equals(b);

    public static bool operator !=(IpAddr a, IpAddr b) => !a.Equals(b);

    public override string ToString()
    {
        if (IsV4)
        {
            uint v = V4;
            return $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}";
        }
        return ToIPAddress().ToString();
    }
}
