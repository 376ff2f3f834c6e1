using System.Buffers.Binary;

namespace Bridge.Packets.Tests;

/// <summary>Hand-assembles pcapng files in either byte order, so the reader meets blocks no tool here writes.</summary>
internal sealed class NgFileBuilder
{
    private readonly MemoryStream _out = new();
    private readonly bool _bigEndian;

    public NgFileBuilder(bool bigEndian)
    {
        _bigEndian = bigEndian;
    }

    private byte[] U16(int v)
    {
        var b = new byte[2];
        if (_bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
        return b;
    }

    private byte[] U32(uint v)
    {
        var b = new byte[4];
        if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    private byte[] U64(ulong v)
    {
        var b = new byte[8];
        if (_bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }

    public NgFileBuilder Block(uint type, params byte[][] parts)
    {
        var body = new List<byte>();
        foreach (var p in parts) body.AddRange(p);
        while (body.Count % 4 != 0) body.Add(0);
        uint total = (uint)(body.Count + 12);
        _out.Write(U32(type));
        _out.Write(U32(total));
        _out.Write(body.ToArray());
        _out.Write(U32(total));
        return this;
    }

    public NgFileBuilder Section() =>
        Block(0x0A0D0D0A, U32(0x1A2B3C4D), U16(1), U16(0), U64(ulong.MaxValue));

    /// <summary>Interface with optional if_tsresol byte (e.g. 9 = ns, 0x94 = 2^-20).</summary>
    public NgFileBuilder Interface(ushort linkType = 1, uint snapLength = 0, byte? tsResol = null, long? tsOffsetSeconds = null)
    {
        var parts = new List<byte[]> { U16(linkType), U16(0), U32(snapLength) };
        if (tsResol is byte r)
        {
            parts.Add(U16(9));
            parts.Add(U16(1));
            parts.Add([r, 0, 0, 0]);
        }
        if (tsOffsetSeconds is long o)
        {
            parts.Add(U16(14));
            parts.Add(U16(8));
            parts.Add(U64((ulong)o));
        }
        parts.Add(U16(0));
        parts.Add(U16(0));
        return Block(1, parts.ToArray());
    }

    public NgFileBuilder Enhanced(uint interfaceId, ulong ticks, byte[] data, uint originalLength) =>
        Block(6, U32(interfaceId), U32((uint)(ticks >> 32)), U32((uint)ticks), U32((uint)data.Length), U32(originalLength), data);

    public NgFileBuilder Obsolete(ushort interfaceId, ulong ticks, byte[] data) =>
        Block(2, U16(interfaceId), U16(0), U32((uint)(ticks >> 32)), U32((uint)ticks), U32((uint)data.Length), U32((uint)data.Length), data);

    /// <summary>SPB: holds only the captured bytes (original length cut by the snap length).</summary>
    public NgFileBuilder Simple(byte[] captured, int originalLength = -1) =>
        Block(3, U32((uint)(originalLength < 0 ? captured.Length : originalLength)), captured);

    public byte[] ToArray() => _out.ToArray();
}
