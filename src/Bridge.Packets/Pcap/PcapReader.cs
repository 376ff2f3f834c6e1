using System.Buffers.Binary;

namespace Bridge.Packets.Pcap;

/// <summary>
/// Streaming reader for classic pcap (either byte order, µs or ns magic) and pcapng (sections in
/// either byte order; IDB, EPB, SPB, OPB; other blocks skipped). One buffer is reused for every
/// record. Corrupt input raises <see cref="PcapFormatException"/> with the file offset; every
/// step consumes at least one header, so no input can loop forever.
/// </summary>
public sealed class PcapReader : IDisposable
{
    /// <summary>Largest record or block accepted; beyond this the length field is taken as corrupt.</summary>
    public const int MaxRecordLength = 64 * 1024 * 1024;

    private const uint NgSectionHeader = 0x0A0D0D0A;
    private const uint NgByteOrderMagic = 0x1A2B3C4D;
    private const uint NgInterfaceDescription = 1;
    private const uint NgObsoletePacket = 2;
    private const uint NgSimplePacket = 3;
    private const uint NgEnhancedPacket = 6;
    private const ushort NgOptionEnd = 0;
    private const ushort NgOptionTsResol = 9;
    private const ushort NgOptionTsOffset = 14;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly List<NgInterface> _interfaces = new();
    private byte[] _buffer = new byte[65536];
    private long _position;
    private bool _bigEndian;

    // Classic pcap header values.
    private bool _nanoseconds;
    private uint _linkType;

    public PcapFormat Format { get; }

    /// <summary>Link type of the classic file, or of the first pcapng interface seen so far.</summary>
    public uint LinkType => Format == PcapFormat.Pcap ? _linkType : _interfaces.Count > 0 ? _interfaces[0].LinkType : 0;

    private readonly record struct NgInterface(uint LinkType, uint SnapLength, bool Binary, byte Exponent, long OffsetSeconds);

    public PcapReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = !leaveOpen;
        Span<byte> magic = stackalloc byte[4];
        if (!ReadExactly(magic, allowCleanEof: true))
        {
            throw new PcapFormatException(0, "empty file");
        }
        uint le = BinaryPrimitives.ReadUInt32LittleEndian(magic);
        if (le == NgSectionHeader)
        {
            Format = PcapFormat.PcapNg;
            ReadSectionHeader();
            return;
        }
        Format = PcapFormat.Pcap;
        switch (le)
        {
            case PcapWriter.MagicMicroseconds: break;
            case PcapWriter.MagicNanoseconds: _nanoseconds = true; break;
            case 0xD4C3B2A1: _bigEndian = true; break;
            case 0x4D3CB2A1: _bigEndian = true; _nanoseconds = true; break;
            default: throw new PcapFormatException(0, $"unknown magic 0x{le:x8}: not a pcap or pcapng file");
        }
        Span<byte> header = stackalloc byte[20];
        if (!ReadExactly(header, allowCleanEof: false))
        {
            throw new PcapFormatException(_position, "truncated file header");
        }
        // The top bits of the link-type word carry FCS information; the link type is the low 16 bits.
        _linkType = U32(header.Slice(16)) & 0xFFFF;
    }

    public static PcapReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));

    /// <summary>Reads every record of a file into records that own their bytes.</summary>
    public static List<PcapRecord> ReadAll(string path)
    {
        using var reader = Open(path);
        var records = new List<PcapRecord>();
        while (reader.TryReadNext(out var record))
        {
            records.Add(record.Detach());
        }
        return records;
    }

    /// <summary>
    /// Next packet, or false at a clean end of file. <paramref name="record"/>'s data is valid
    /// until the next call.
    /// </summary>
    public bool TryReadNext(out PcapRecord record) =>
        Format == PcapFormat.Pcap ? TryReadClassic(out record) : TryReadNg(out record);

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }

    private bool TryReadClassic(out PcapRecord record)
    {
        record = default;
        long start = _position;
        Span<byte> header = stackalloc byte[16];
        if (!ReadExactly(header, allowCleanEof: true))
        {
            return false;
        }
        uint seconds = U32(header);
        uint fraction = U32(header.Slice(4));
        uint captured = U32(header.Slice(8));
        uint original = U32(header.Slice(12));
        if (captured > MaxRecordLength)
        {
            throw new PcapFormatException(start, $"captured length {captured} exceeds {MaxRecordLength}");
        }
        var data = Rent((int)captured);
        if (!ReadExactly(data.Span, allowCleanEof: false))
        {
            throw new PcapFormatException(_position, $"record data truncated (needs {captured} bytes)");
        }
        long ns = seconds * 1_000_000_000L + (_nanoseconds ? fraction : fraction * 1000L);
        record = new PcapRecord(ns, (int)Math.Min(original, int.MaxValue), data, _linkType, 0);
        return true;
    }

    private bool TryReadNg(out PcapRecord record)
    {
        record = default;
        Span<byte> head = stackalloc byte[8];
        while (true)
        {
            long start = _position;
            if (!ReadExactly(head, allowCleanEof: true))
            {
                return false;
            }
            uint type = U32(head);
            if (type == NgSectionHeader)
            {
                // The byte-order magic follows the type and decides how the length is read, so
                // rewind logically: the section header reader starts after the type.
                ReadSectionHeader(head.Slice(4));
                continue;
            }
            var body = ReadBlockBody(start, U32(head.Slice(4)));
            switch (type)
            {
                case NgInterfaceDescription:
                    ParseInterface(start, body.Span);
                    break;
                case NgEnhancedPacket:
                    record = ParseEnhanced(start, body, interfaceIdLength: 4);
                    return true;
                case NgObsoletePacket:
                    record = ParseEnhanced(start, body, interfaceIdLength: 2);
                    return true;
                case NgSimplePacket:
                    record = ParseSimple(start, body);
                    return true;
            }
        }
    }

    /// <summary>Reads the rest of a block whose 8-byte head has been read; returns the body without the trailing length.</summary>
    private Memory<byte> ReadBlockBody(long start, uint totalLength)
    {
        if (totalLength < 12 || totalLength % 4 != 0 || totalLength > MaxRecordLength)
        {
            throw new PcapFormatException(start, $"block length {totalLength} invalid");
        }
        var rest = Rent((int)totalLength - 8);
        if (!ReadExactly(rest.Span, allowCleanEof: false))
        {
            throw new PcapFormatException(_position, $"block truncated (needs {totalLength} bytes)");
        }
        uint trailer = U32(rest.Span.Slice(rest.Length - 4));
        if (trailer != totalLength)
        {
            throw new PcapFormatException(start, $"block length {totalLength} does not match trailing length {trailer}");
        }
        return rest.Slice(0, rest.Length - 4);
    }

    /// <summary>Section header; <paramref name="lengthRead"/> holds the length field when the caller already read it.</summary>
    private void ReadSectionHeader(ReadOnlySpan<byte> lengthRead = default)
    {
        long start = _position - 4 - lengthRead.Length;
        Span<byte> fields = stackalloc byte[8];
        int have = lengthRead.Length;
        lengthRead.CopyTo(fields);
        if (!ReadExactly(fields.Slice(have), allowCleanEof: false))
        {
            throw new PcapFormatException(_position, "truncated section header");
        }
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(fields.Slice(4));
        _bigEndian = magic switch
        {
            NgByteOrderMagic => false,
            0x4D3C2B1A => true,
            _ => throw new PcapFormatException(start + 8, $"bad byte-order magic 0x{magic:x8}"),
        };
        uint totalLength = U32(fields);
        if (totalLength < 28 || totalLength % 4 != 0 || totalLength > MaxRecordLength)
        {
            throw new PcapFormatException(start, $"section header length {totalLength} invalid");
        }
        // The magic was part of the body; read the remainder (version, section length, options, trailer).
        var rest = Rent((int)totalLength - 12);
        if (!ReadExactly(rest.Span, allowCleanEof: false))
        {
            throw new PcapFormatException(_position, "truncated section header");
        }
        uint trailer = U32(rest.Span.Slice(rest.Length - 4));
        if (trailer != totalLength)
        {
            throw new PcapFormatException(start, $"section header length {totalLength} does not match trailing length {trailer}");
        }
        ushort major = U16(rest.Span);
        if (major != 1)
        {
            throw new PcapFormatException(start + 12, $"unsupported pcapng version {major}");
        }
        // Interface ids are numbered per section.
        _interfaces.Clear();
    }

    private void ParseInterface(long start, ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            throw new PcapFormatException(start, "interface description block too short");
        }
        uint linkType = U16(body);
        uint snapLength = U32(body.Slice(4));
        bool binary = false;
        byte exponent = 6;
        long offsetSeconds = 0;
        var options = body.Slice(8);
        while (options.Length >= 4)
        {
            ushort code = U16(options);
            int length = U16(options.Slice(2));
            if (code == NgOptionEnd) break;
            int padded = (length + 3) & ~3;
            if (4 + padded > options.Length)
            {
                throw new PcapFormatException(start, $"interface option {code} runs past its block");
            }
            var value = options.Slice(4, length);
            if (code == NgOptionTsResol && length == 1)
            {
                binary = (value[0] & 0x80) != 0;
                exponent = (byte)(value[0] & 0x7F);
            }
            else if (code == NgOptionTsOffset && length == 8)
            {
                offsetSeconds = (long)U64(value);
            }
            options = options.Slice(4 + padded);
        }
        _interfaces.Add(new NgInterface(linkType, snapLength, binary, exponent, offsetSeconds));
    }

    private PcapRecord ParseEnhanced(long start, Memory<byte> block, int interfaceIdLength)
    {
        var body = block.Span;
        if (body.Length < 20)
        {
            throw new PcapFormatException(start, "packet block too short");
        }
        // OPB: 2-byte interface id + 2-byte drop count, then the same layout as EPB.
        int interfaceId = interfaceIdLength == 4 ? (int)Math.Min(U32(body), int.MaxValue) : U16(body);
        var iface = Interface(start, interfaceId);
        ulong ticks = ((ulong)U32(body.Slice(4)) << 32) | U32(body.Slice(8));
        uint captured = U32(body.Slice(12));
        uint original = U32(body.Slice(16));
        if (captured > body.Length - 20)
        {
            throw new PcapFormatException(start, $"captured length {captured} exceeds its block");
        }
        return new PcapRecord(ToNanoseconds(iface, ticks), (int)Math.Min(original, int.MaxValue), block.Slice(20, (int)captured), iface.LinkType, interfaceId);
    }

    private PcapRecord ParseSimple(long start, Memory<byte> block)
    {
        var body = block.Span;
        if (body.Length < 4)
        {
            throw new PcapFormatException(start, "simple packet block too short");
        }
        var iface = Interface(start, 0);
        uint original = U32(body);
        // SPB has no captured length: it is the original length cut by the snap length and the block.
        long captured = Math.Min(original, body.Length - 4);
        if (iface.SnapLength != 0) captured = Math.Min(captured, iface.SnapLength);
        return new PcapRecord(0, (int)Math.Min(original, int.MaxValue), block.Slice(4, (int)captured), iface.LinkType, 0);
    }

    private NgInterface Interface(long start, int id)
    {
        if (id < 0 || id >= _interfaces.Count)
        {
            throw new PcapFormatException(start, $"packet refers to interface {id}, {_interfaces.Count} described");
        }
        return _interfaces[id];
    }

    private static long ToNanoseconds(NgInterface iface, ulong ticks)
    {
        UInt128 ns;
        if (iface.Binary)
        {
            ns = iface.Exponent >= 127 ? 0 : ((UInt128)ticks * 1_000_000_000UL) >> iface.Exponent;
        }
        else if (iface.Exponent <= 9)
        {
            ns = (UInt128)ticks * Pow10(9 - iface.Exponent);
        }
        else
        {
            ns = iface.Exponent - 9 > 19 ? 0 : ticks / Pow10(iface.Exponent - 9);
        }
        UInt128 clamped = ns > long.MaxValue ? long.MaxValue : ns;
        return (long)clamped + iface.OffsetSeconds * 1_000_000_000L;
    }

    private static ulong Pow10(int exponent)
    {
        ulong value = 1;
        for (int i = 0; i < exponent; i++) value *= 10;
        return value;
    }

    private Memory<byte> Rent(int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }
        return _buffer.AsMemory(0, length);
    }

    /// <summary>Fills <paramref name="destination"/>; false only at a clean end of file when allowed.</summary>
    private bool ReadExactly(Span<byte> destination, bool allowCleanEof)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = _stream.Read(destination.Slice(total));
            if (n == 0)
            {
                if (total == 0 && allowCleanEof) return false;
                throw new PcapFormatException(_position + total, $"unexpected end of file ({total} of {destination.Length} bytes)");
            }
            total += n;
        }
        _position += total;
        return true;
    }

    private ushort U16(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    private uint U32(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private ulong U64(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
}
