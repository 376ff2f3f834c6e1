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

    /// <summary>
    /// Receive ring size per port in bytes (rounded to whole blocks). The ring is what absorbs a
    /// worker that the scheduler takes off the CPU: 16 MiB holds about 10 000 standard frames, a
    /// second at 10 kpps. 4 MiB lost frames in the 10 kpps end-to-end test on a loaded 2-core box.
    /// </summary>
    public int RingBytes { get; init; } = 16 << 20;

    /// <summary>V3 block size in bytes (a power of two, at least one maximum frame).</summary>
    public int BlockBytes { get; init; } = 1 << 18;

    /// <summary>V3 block retire timeout: the latency ceiling of a lightly loaded port.</summary>
    public int BlockTimeoutMs { get; init; } = 1;

    /// <summary>Maximum frames per V2 receive batch.</summary>
    public int RxBatch { get; init; } = 64;

    /// <summary>Frames queued by Send before Flush pushes them with one sendmmsg.</summary>
    public int TxBatch { get; init; } = 64;

    /// <summary>
    /// Bypass the qdisc on transmit (PACKET_QDISC_BYPASS). Off by default: bypassed frames skip the
    /// device's packet taps too, so tcpdump on the bridge's own NICs would show only what arrives,
    /// never what the bridge sends — wrong for a troubleshooting box. Turn on for the last few
    /// percent of rate when nobody captures on the host.
    /// </summary>
    public bool QdiscBypass { get; init; }

    /// <summary>How often the carrier state is re-read (never per packet).</summary>
    public int LinkCheckIntervalMs { get; init; } = 250;

    /// <summary>Override of the device MTU used to size ring slots (0 = read from the device).</summary>
    public int Mtu { get; init; }
}
