using Bridge.Pipeline.Events;
using Bridge.Packets;

namespace Bridge.Pipeline.Flows;

/// <summary>
/// Idle timeouts in nanoseconds, from the <c>timeout</c> config lines and the embryonic timeout of
/// the global service policy (<c>set connection timeout embryonic</c>).
/// </summary>
public readonly record struct FlowTimeouts(long ConnNs, long UdpNs, long IcmpNs, long HalfClosedNs, long EmbryonicNs = FlowTimeouts.DefaultEmbryonicNs)
{
    /// <summary>ASA's default embryonic timeout, 0:00:30.</summary>
    public const long DefaultEmbryonicNs = 30L * 1_000_000_000;

    /// <summary>ASA defaults: conn 1:00:00, udp 0:02:00, icmp 0:00:02, tcp-half-closed 0:10:00, embryonic 0:00:30.</summary>
    public static readonly FlowTimeouts Default = new(3600L * 1_000_000_000, 120L * 1_000_000_000, 2L * 1_000_000_000, 600L * 1_000_000_000);

    public long For(in Flow f) => f.Key.Protocol switch
    {
        IpProtocol.Tcp => f.Tcp switch
        {
            TcpState.SynSent or TcpState.SynReceived => EmbryonicNs,
            TcpState.HalfClosed or TcpState.Closing => HalfClosedNs,
            _ => ConnNs,
        },
        IpProtocol.Udp => UdpNs,
        IpProtocol.Icmp or IpProtocol.IcmpV6 => IcmpNs,
        _ => ConnNs,
    };
}

/// <summary>
/// One worker's shard of the connection table: a preallocated array of flows, chained hash
/// buckets and a free list. Only the owning worker thread touches it, so there are no locks;
/// nothing is allocated after construction.
/// </summary>
public sealed class FlowTable
{
    private readonly Flow[] _flows;
    private readonly int[] _buckets;
    private readonly int _mask;
    private int _freeHead;
    private int _sweepCursor;
    private uint _nextId;
    private readonly uint _idStride;

    public FlowTable(int capacity, int workerIndex = 0, int workerCount = 1)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        _flows = new Flow[capacity];
        int buckets = 1;
        while (buckets < capacity * 2) buckets <<= 1;
        _buckets = new int[buckets];
        _mask = buckets - 1;
        Array.Fill(_buckets, -1);
        for (int i = 0; i < capacity; i++) _flows[i].Next = i + 1 < capacity ? i + 1 : -1;
        _freeHead = 0;
        // Ids are unique across workers without sharing a counter: worker i hands out i+1, i+1+W, ...
        _nextId = (uint)workerIndex + 1;
        _idStride = (uint)Math.Max(1, workerCount);
    }

    public int Capacity => _flows.Length;

    /// <summary>TCP connections in the table whose three-way handshake has not finished.</summary>
    public int Embryonic { get; private set; }

    /// <summary>Flows removed to make room for a new one while the table was full.</summary>
    public long Evicted { get; private set; }

    /// <summary>How many slots a full table looks at to choose the flow it gives up.</summary>
    public const int EvictionSample = 32;
    private int _evictCursor;

    /// <summary>Where built and teardown events go (the owning worker's ring); null = no events.</summary>
    public ConnEventRing? Events { get; set; }
    public int Count { get; private set; }
    public int MostUsed { get; private set; }
    public long Created { get; private set; }

    public ref Flow this[int slot] => ref _flows[slot];

    /// <summary>The id the next inserted flow will get (used by dry runs, which insert nothing).</summary>
    public uint PeekNextId() => _nextId;

    public int Lookup(in FlowKey key)
    {
        int slot = _buckets[key.GetHashCode() & _mask];
        while (slot >= 0)
        {
            ref Flow f = ref _flows[slot];
            if (f.Key.Equals(key)) return slot;
            slot = f.Next;
        }
        return -1;
    }

    /// <summary>Inserts a new flow and returns its slot, or -1 when the table is full.</summary>
    public int Insert(in FlowKey key, bool initiatorIsA, long nowNs)
    {
        int slot = _freeHead;
        if (slot < 0) return -1;
        return Take(slot, key, initiatorIsA, nowNs);
    }

    /// <summary>
    /// Inserts a new flow; when the table is full, first gives up the flow that has been idle
    /// longest among <see cref="EvictionSample"/> slots (the oldest one when several have been
    /// idle equally long), so that a full table keeps taking new connections without a scan of
    /// the whole table. Returns the slot and whether a flow was evicted for it.
    /// </summary>
    public int InsertEvicting(in FlowKey key, bool initiatorIsA, long nowNs, in FlowTimeouts timeouts, out bool evicted)
    {
        evicted = false;
        if (_freeHead < 0)
        {
            int victim = ChooseVictim(nowNs);
            if (victim < 0) return -1;
            // An idle flow past its own timeout simply timed out; anything else is an eviction.
            bool expired = IsExpired(victim, nowNs, timeouts);
            Remove(victim, expired ? TimeoutReason(in _flows[victim]) : TeardownReason.Evicted, nowNs);
            if (!expired)
            {
                Evicted++;
                evicted = true;
            }
        }
        return Take(_freeHead, key, initiatorIsA, nowNs);
    }

    private int ChooseVictim(long nowNs)
    {
        int best = -1;
        long bestIdle = -1, bestCreated = long.MaxValue;
        int n = Math.Min(EvictionSample, _flows.Length);
        for (int i = 0; i < n; i++)
        {
            int slot = _evictCursor;
            _evictCursor = slot + 1 == _flows.Length ? 0 : slot + 1;
            ref Flow f = ref _flows[slot];
            if (!f.InUse) continue;
            long idle = nowNs - f.LastNs;
            if (idle > bestIdle || (idle == bestIdle && f.CreatedNs < bestCreated))
            {
                best = slot;
                bestIdle = idle;
                bestCreated = f.CreatedNs;
            }
        }
        return best;
    }

    /// <summary>Counts a new TCP connection as embryonic until <see cref="LeaveEmbryonic"/> or its removal.</summary>
    public void MarkEmbryonic(int slot)
    {
        ref Flow f = ref _flows[slot];
        if (f.Embryonic) return;
        f.Embryonic = true;
        Embryonic++;
    }

    /// <summary>The handshake finished (or the connection closed before it did).</summary>
    public void LeaveEmbryonic(int slot)
    {
        ref Flow f = ref _flows[slot];
        if (!f.Embryonic) return;
        f.Embryonic = false;
        Embryonic--;
    }

    private int Take(int slot, in FlowKey key, bool initiatorIsA, long nowNs)
    {
        ref Flow f = ref _flows[slot];
        _freeHead = f.Next;
        f = default;
        f.Key = key;
        f.InitiatorIsA = initiatorIsA;
        f.InUse = true;
        f.Id = _nextId;
        _nextId += _idStride;
        f.CreatedNs = nowNs;
        f.LastNs = nowNs;
        f.AceIndex = -1;
        int b = key.GetHashCode() & _mask;
        f.Next = _buckets[b];
        _buckets[b] = slot;
        Count++;
        Created++;
        if (Count > MostUsed) MostUsed = Count;
        return slot;
    }

    /// <summary>Removes the flow in <paramref name="slot"/>, reporting a teardown event with <paramref name="reason"/>.</summary>
    public void Remove(int slot, TeardownReason reason, long nowNs)
    {
        ref Flow f = ref _flows[slot];
        if (!f.InUse) return;
        Events?.TryWrite(ConnEvent.For(f, ConnEventKind.Teardown, nowNs, reason));
        Unlink(slot);
    }

    private void Unlink(int slot)
    {
        ref Flow f = ref _flows[slot];
        int b = f.Key.GetHashCode() & _mask;
        int cur = _buckets[b];
        int prev = -1;
        while (cur >= 0 && cur != slot)
        {
            prev = cur;
            cur = _flows[cur].Next;
        }
        if (cur == slot)
        {
            if (prev < 0) _buckets[b] = f.Next;
            else _flows[prev].Next = f.Next;
        }
        if (f.Embryonic)
        {
            f.Embryonic = false;
            Embryonic--;
        }
        f.InUse = false;
        f.Next = _freeHead;
        _freeHead = slot;
        Count--;
    }

    public bool IsExpired(int slot, long nowNs, in FlowTimeouts timeouts)
    {
        ref Flow f = ref _flows[slot];
        return nowNs - f.LastNs > timeouts.For(f);
    }

    /// <summary>
    /// Removes idle flows, visiting at most <paramref name="budget"/> slots from where the last call
    /// stopped, so that the cost per batch stays bounded. Returns the number removed.
    /// </summary>
    public int Sweep(long nowNs, in FlowTimeouts timeouts, int budget)
    {
        int removed = 0;
        int n = Math.Min(budget, _flows.Length);
        for (int i = 0; i < n; i++)
        {
            int slot = _sweepCursor;
            _sweepCursor = slot + 1 == _flows.Length ? 0 : slot + 1;
            if (_flows[slot].InUse && IsExpired(slot, nowNs, timeouts))
            {
                Remove(slot, TimeoutReason(in _flows[slot]), nowNs);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>Copies the live flows (control plane; not for the data path).</summary>
    public void CopyTo(List<Flow> into)
    {
        for (int i = 0; i < _flows.Length; i++)
        {
            if (_flows[i].InUse) into.Add(_flows[i]);
        }
    }

    /// <summary>Removes every flow (clear conn).</summary>
    /// <summary>ASA's words for an idle removal: handshake never finished, close never finished, or plain idle.</summary>
    public static TeardownReason TimeoutReason(in Flow f) => f.Key.Protocol != 6 ? TeardownReason.ConnTimeout : f.Tcp switch
    {
        TcpState.SynSent or TcpState.SynReceived => TeardownReason.SynTimeout,
        TcpState.HalfClosed or TcpState.Closing => TeardownReason.FinTimeout,
        _ => TeardownReason.ConnTimeout,
    };

    public void Clear() => RemoveMatching(null);

    /// <summary>Removes every flow, or those with <paramref name="address"/> at either end (clear conn [address A]); returns how many.</summary>
    public int RemoveMatching(IpAddr? address, long nowNs = 0)
    {
        int removed = 0;
        for (int i = 0; i < _flows.Length; i++)
        {
            ref var f = ref _flows[i];
            if (!f.InUse || (address is { } a && f.Key.A != a && f.Key.B != a)) continue;
            Remove(i, TeardownReason.Cleared, nowNs > 0 ? nowNs : f.LastNs);
            removed++;
        }
        return removed;
    }
}
