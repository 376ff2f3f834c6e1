using System.Buffers.Binary;
using System.Globalization;

namespace Bridge.Packets;

/// <summary>A MAC address packed in the low 48 bits of a ulong (network byte order, first byte highest).</summary>
public readonly record struct MacAddr(ulong Value)
{
    public static readonly MacAddr Broadcast = new(0xFFFF_FFFF_FFFFUL);

    public static MacAddr Read(ReadOnlySpan<byte> six) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(six) << 32) | BinaryPrimitives.ReadUInt32BigEndian(six.Slice(2)));

    public void Write(Span<byte> six)
    {
        BinaryPrimitives.WriteUInt16BigEndian(six, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(six.Slice(2), (uint)Value);
    }

    /// <summary>Group bit: broadcast and multicast destinations.</summary>
    public bool IsGroup => (Value & 0x0100_0000_0000UL) != 0;

    public bool IsBroadcast => Value == Broadcast.Value;

    /// <summary>Cisco dotted form, as ASA prints it: 000c.2998.3fec.</summary>
    public string ToCisco() => $"{(Value >> 32) & 0xFFFF:x4}.{(Value >> 16) & 0xFFFF:x4}.{Value & 0xFFFF:x4}";

    /// <summary>Colon form, as tcpdump prints it: 00:0c:29:98:3f:ec.</summary>
    public override string ToString()
    {
        Span<char> s = stackalloc char[17];
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(Value >> (40 - 8 * i));
            b.TryFormat(s.Slice(i * 3, 2), out _, "x2", CultureInfo.InvariantCulture);
            if (i < 5) s[i * 3 + 2] = ':';
        }
        return new string(s);
    }

    /// <summary>Parses 00:0c:29:98:3f:ec, 00-0c-29-98-3f-ec or 000c.2998.3fec.</summary>
    public static bool TryParse(string text, out MacAddr mac)
    {
        mac = default;
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);
        if (hex.Length != 12 || !ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
        {
            return false;
        }
        mac = new MacAddr(v);
        return true;
    }
}
