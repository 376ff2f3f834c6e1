namespace Bridge.Packets.Pcap;

/// <summary>
/// One packet from a capture file. From <see cref="PcapReader.TryReadNext"/>, <see cref="Data"/>
/// points into the reader's buffer and is valid until the next call; <see cref="PcapReader.ReadAll"/>
/// returns records that own their bytes.
/// </summary>
public readonly record struct PcapRecord(long TimestampNanoseconds, int OriginalLength, ReadOnlyMemory<byte> Data, uint LinkType, int InterfaceId)
{
    /// <summary>Captured bytes (at most <see cref="OriginalLength"/>).</summary>
    public int CapturedLength => Data.Length;

    public DateTime TimestampUtc => DateTime.UnixEpoch.AddTicks(TimestampNanoseconds / 100);

    /// <summary>A copy whose <see cref="Data"/> survives the reader's next call.</summary>
    public PcapRecord Detach() => this with { Data = Data.ToArray() };
}

/// <summary>Container format of a capture file.</summary>
public enum PcapFormat : byte
{
    Pcap,
    PcapNg,
}

/// <summary>A corrupt or unsupported capture file; says where and why.</summary>
public sealed class PcapFormatException : Exception
{
    public long Offset { get; }

    public PcapFormatException(long offset, string reason)
        : base($"capture file corrupt at offset {offset}: {reason}")
    {
        Offset = offset;
    }
}
