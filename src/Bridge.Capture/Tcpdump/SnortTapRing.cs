using Bridge.Pipeline.Core;

namespace Bridge.Capture.Tcpdump;

/// <summary>Receives one frame read back from a <see cref="SnortTapRing"/>.</summary>
public delegate void TappedFrameVisitor(long timestampNanoseconds, ReadOnlySpan<byte> frame, int wireLength);

/// <summary>
/// One worker's share of a capture-traffic session: a single-producer single-consumer ring of
/// fixed-size slots, preallocated. The worker (<see cref="Offer"/>) copies the frame, cut to the
/// slot size, and publishes it with one volatile write; when the ring is full it counts the frame
/// as dropped instead of waiting. The session thread (<see cref="Drain"/>) reads and frees slots.
/// No lock, no allocation on the worker.
/// </summary>
public sealed class SnortTapRing : ISnortTap
{
    private readonly byte[] _bytes;
    private readonly long[] _timestamps;
    private readonly int[] _lengths;
    private readonly int[] _wireLengths;
    private readonly int _slotSize;
    private readonly int _slots;
    private long _written;
    private long _read;
    private long _offered;
    private long _dropped;

    public SnortTapRing(int slotSize, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        _slotSize = slotSize;
        _slots = slots;
        _bytes = new byte[(long)slotSize * slots];
        _timestamps = new long[slots];
        _lengths = new int[slots];
        _wireLengths = new int[slots];
    }

    /// <summary>Frames offered by the worker (written by the worker only; read racily).</summary>
    public long Offered => Volatile.Read(ref _offered);

    /// <summary>Frames lost because the session had not read the ring in time.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public long MemoryBytes => _bytes.LongLength + _slots * 16L;

    public void Offer(ref PacketContext ctx)
    {
        _offered++;
        long written = _written;
        if (written - Volatile.Read(ref _read) >= _slots)
        {
            _dropped++;
            return;
        }
        int slot = (int)(written % _slots);
        var frame = ctx.Frame;
        int length = Math.Min(frame.Length, _slotSize);
        frame.Slice(0, length).CopyTo(_bytes.AsSpan(slot * _slotSize, length));
        _timestamps[slot] = ctx.NowNs;
        _lengths[slot] = length;
        _wireLengths[slot] = frame.Length;
        // Publishes the slot: the reader sees its bytes only after this write.
        Volatile.Write(ref _written, written + 1);
    }

    /// <summary>Hands every published frame to <paramref name="visit"/> (session thread only) and frees the slots; returns how many.</summary>
    public int Drain(TappedFrameVisitor visit)
    {
        long read = _read;
        long written = Volatile.Read(ref _written);
        int count = 0;
        for (; read < written; read++, count++)
        {
            int slot = (int)(read % _slots);
            visit(_timestamps[slot], _bytes.AsSpan(slot * _slotSize, _lengths[slot]), _wireLengths[slot]);
        }
        Volatile.Write(ref _read, read);
        return count;
    }
}

/// <summary>Several sessions listening on one worker: offers the frame to each ring in turn.</summary>
public sealed class SnortTapFanout(IReadOnlyList<ISnortTap> taps) : ISnortTap
{
    private readonly ISnortTap[] _taps = [.. taps];

    public void Offer(ref PacketContext ctx)
    {
        foreach (var tap in _taps) tap.Offer(ref ctx);
    }
}
