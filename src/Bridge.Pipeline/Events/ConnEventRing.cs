namespace Bridge.Pipeline.Events;

/// <summary>A worker's ring of connection events (see <see cref="EventRing{T}"/>).</summary>
public sealed class ConnEventRing(int capacity = 4096) : EventRing<ConnEvent>(capacity);

/// <summary>
/// A single-producer, single-consumer ring of event values: the worker writes, the control
/// plane's event pump reads. When the pump falls behind, new events are counted in
/// <see cref="Lost"/> and dropped rather than ever making the worker wait.
/// </summary>
public class EventRing<T> where T : struct
{
    private readonly T[] _slots;
    private readonly int _mask;
    private long _head; // next slot to write; only the worker advances it
    private long _tail; // next slot to read; only the pump advances it
    private long _lost;

    public EventRing(int capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), "must be a power of two");
        _slots = new T[capacity];
        _mask = capacity - 1;
    }

    /// <summary>Events dropped because the ring was full.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>Worker side. False (and counted) when the ring is full.</summary>
    public bool TryWrite(in T e)
    {
        long head = _head;
        if (head - Volatile.Read(ref _tail) >= _slots.Length)
        {
            _lost++;
            return false;
        }
        _slots[head & _mask] = e;
        // Release: the slot's contents are visible before the reader sees the new head.
        Volatile.Write(ref _head, head + 1);
        return true;
    }

    /// <summary>Pump side.</summary>
    public bool TryRead(out T e)
    {
        long tail = _tail;
        if (tail == Volatile.Read(ref _head))
        {
            e = default;
            return false;
        }
        e = _slots[tail & _mask];
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }
}
