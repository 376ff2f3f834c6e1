namespace Bridge.Io.AfPacket;

/// <summary>TPACKET ring layout for receive; see NOTES.md for the measured trade-off.</summary>
public enum RingVersion
{
    /// <summary>One fixed-size slot per frame; the kernel wakes the reader per frame.</summary>
    V2,

    /// <summary>Variable-size frames packed in blocks; a block is handed over when full or after the block timeout.</summary>
    V3,
}

/// <summary>Tuning of an <see cref="AfPacketPort"/>. Defaults suit a 1500-byte MTU bridge at a few hundred Mbit/s per worker.</summary>
public sealed record AfPacketOptions
{
    public RingVersion Ring { get; init; } = RingVersion.V2;

    /// <summary>Receive ring size per port in bytes (rounded to whole blocks).</summary>
    public int RingBytes { get; init; } = 4 << 20;

    /// <summary>V3 block size in bytes (a power of two, at least one maximum frame).</summary>
    public int BlockBytes { get; init; } = 1 << 18;

    /// <summary>V3 block retire timeout: the latency ceiling of a lightly loaded port.</summary>
    public int BlockTimeoutMs { get; init; } = 1;

    /// <summary>Maximum frames per V2 receive batch.</summary>
    public int RxBatch { get; init; } = 64;

    /// <summary>Frames queued by Send before Flush pushes them with one sendmmsg.</summary>
    public int TxBatch { get; init; } = 64;

    /// <summary>Bypass the qdisc on transmit: a bridge forwards at line rate and has no traffic shaping of its own.</summary>
    public bool QdiscBypass { get; init; } = true;

    /// <summary>How often the carrier state is re-read (never per packet).</summary>
    public int LinkCheckIntervalMs { get; init; } = 250;

    /// <summary>Override of the device MTU used to size ring slots (0 = read from the device).</summary>
    public int Mtu { get; init; }
}
