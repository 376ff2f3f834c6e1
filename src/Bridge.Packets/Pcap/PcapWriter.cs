using System.Buffers.Binary;

namespace Bridge.Packets.Pcap;

/// <summary>Timestamp resolution of a classic pcap file, chosen by its magic number.</summary>
public enum PcapResolution : byte
{
    Microseconds,
    Nanoseconds,
}

/// <summary>
/// Writes classic libpcap files (little endian, as every tool reads). Frames longer than the
/// snap length are cut, with the original length recorded so readers show "captured N of M".
/// </summary>
public sealed class PcapWriter : IDisposable
{
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    public const uint MagicNanoseconds = 0xA1B23C4D;
    public const uint LinkTypeEthernet = 1;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _recordHeader = new byte[16];
    private bool _disposed;

    public PcapResolution Resolution { get; }
    public int SnapLength { get; }
    public uint LinkType { get; }

    public PcapWriter(Stream stream, PcapResolution resolution = PcapResolution.Microseconds, int snapLength = 262144, uint linkType = LinkTypeEthernet, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _stream = stream;
        _ownsStream = !leaveOpen;
        Resolution = resolution;
        SnapLength = snapLength;
        LinkType = linkType;
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, resolution == PcapResolution.Nanoseconds ? MagicNanoseconds : MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header.Slice(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.Slice(6), 4);
        BinaryPrimitives.WriteInt32LittleEndian(header.Slice(8), 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(12), 0); // sigfigs: always 0 in practice
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(16), (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(20), linkType);
        _stream.Write(header);
    }

    public static PcapWriter Create(string path, PcapResolution resolution = PcapResolution.Microseconds, int snapLength = 262144) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), resolution, snapLength);

    /// <summary>
    /// Writes one record. <paramref name="frame"/> holds the bytes seen (possibly already cut by
    /// the capture); <paramref name="originalLength"/> is the wire length (defaults to frame length).
    /// </summary>
    public void Write(long timestampNanoseconds, ReadOnlySpan<byte> frame, int originalLength = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (originalLength < 0) originalLength = frame.Length;
        if (originalLength < frame.Length) throw new ArgumentOutOfRangeException(nameof(originalLength), "original length below captured length");
        int captured = Math.Min(frame.Length, SnapLength);
        long seconds = Math.DivRem(timestampNanoseconds, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }
        uint sub = Resolution == PcapResolution.Nanoseconds ? (uint)fraction : (uint)(fraction / 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader.AsSpan(4), sub);
        BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader.AsSpan(8), (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader.AsSpan(12), (uint)originalLength);
        _stream.Write(_recordHeader);
        _stream.Write(frame.Slice(0, captured));
    }

    /// <summary>Writes a record stamped with the current UTC time.</summary>
    public void Write(ReadOnlySpan<byte> frame) => Write(UnixNanosecondsNow(), frame);

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Flush();
        if (_ownsStream) _stream.Dispose();
    }

    private static long UnixNanosecondsNow() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
