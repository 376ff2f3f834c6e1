namespace Bridge.Pipeline.Ports;

/// <summary>
/// Receives frames one at a time from a port's current batch. The span is valid only during the
/// call; it holds the wire frame with its VLAN tags restored and may be rewritten in place.
/// </summary>
public interface IRxHandler
{
    void OnFrame(Span<byte> frame, long timestampNs);
}

/// <summary>
/// One side of the bridge: AF_PACKET ring, libpcap handle or pcap file. Every driver keeps the
/// same contract so that the whole pipeline can be driven from pcap files in tests.
/// A port instance is used by one worker thread only (one fanout member).
/// </summary>
public interface IFramePort : IDisposable
{
    /// <summary>Linux device name (eth1) or file path.</summary>
    string Name { get; }

    /// <summary>Whether the link is up (carrier); frames sent while down are refused.</summary>
    bool LinkUp { get; }

    /// <summary>
    /// Hands every frame of the next receive batch to <paramref name="handler"/>, waiting at most
    /// <paramref name="timeoutMs"/> for one to arrive. Returns the number of frames handed over;
    /// 0 on timeout; -1 when the port has no more frames (end of a pcap file).
    /// </summary>
    int Receive(IRxHandler handler, int timeoutMs);

    /// <summary>Queues one frame for transmission (copied before return). False when the frame could not be queued.</summary>
    bool Send(ReadOnlySpan<byte> frame);

    /// <summary>Pushes queued frames to the wire (end of a batch).</summary>
    void Flush();

    /// <summary>
    /// A descriptor that polls readable when frames wait, so one worker can sleep on all its ports
    /// at once and then call <see cref="Receive"/> with a zero timeout; -1 when there is none.
    /// </summary>
    int WaitFd => -1;

    /// <summary>
    /// True when at least <paramref name="percent"/> % of the port's receive queue holds frames not
    /// yet read: the worker's measure of falling behind (snort fail-open/fail-close "busy"). Ports
    /// without a bounded receive queue (pcap files) are never behind.
    /// </summary>
    bool BacklogAtLeast(int percent) => false;

    /// <summary>Called by such a poll when <see cref="WaitFd"/> reported an error (the link went down).</summary>
    void OnWaitError()
    {
    }
}
