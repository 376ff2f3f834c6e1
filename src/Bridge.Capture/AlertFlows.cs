using Bridge.Packets;

namespace Bridge.Capture;

/// <summary>
/// One worker's memory for an alert capture (<c>capture NAME type alert [sid N]</c>): the recent
/// packets of every flow, so that when a flow raises an alert the packets that led up to it can
/// be kept too, and the set of flows that have alerted, whose later packets are kept as they come.
/// Flows are named by a hash of their two endpoints and protocol, so both directions meet. Both
/// structures are bounded and preallocated; used only on the worker's own thread.
/// </summary>
public sealed class AlertFlows
{
    /// <summary>Bytes of recent frames kept per worker (each cut to the capture's packet-length).</summary>
    public const int HistoryBytes = 256 * 1024;

    /// <summary>Recent frames remembered per worker, whatever their size.</summary>
    public const int HistoryRecords = 1024;

    /// <summary>Most packets of one flow kept from before its alert (the newest ones).</summary>
    public const int MaxPreAlertPackets = 64;

    /// <summary>Alerted flows remembered per worker; beyond it the oldest half is forgotten.</summary>
    public const int MaxAlertedFlows = 4096;

    private readonly byte[] _data = new byte[HistoryBytes];
    private readonly Record[] _records = new Record[HistoryRecords];
    private int _nextRecord;
    /// <summary>Bytes ever written into <see cref="_data"/>, as a position in an endless stream (physical offset = position mod size).</summary>
    private long _written;

    private readonly ulong[] _alerted = new ulong[MaxAlertedFlows * 2];
    private readonly ulong[] _alertedOrder = new ulong[MaxAlertedFlows];
    private int _alertedCount;

    private struct Record
    {
        public ulong Flow;
        public long TimeNs;
        public long Start;
        public int Length;
        public int OriginalLength;
        public CaptureDirection Direction;
        /// <summary>False once released (or never written).</summary>
        public bool Live;
    }

    /// <summary>The flow of a decoded IP frame, the same for both directions (0 for non-IP).</summary>
    public static ulong FlowOf(in FrameInfo info)
    {
        if (!info.IsIp) return 0;
        // ICMP echo flows are told apart by their identifier, as the connection table does.
        ushort sp = info.IsIcmp ? info.IcmpId : info.SrcPort, dp = info.IsIcmp ? info.IcmpId : info.DstPort;
        ulong a = Mix(info.SrcIp.Hi ^ Mix(info.SrcIp.Lo) ^ sp);
        ulong b = Mix(info.DstIp.Hi ^ Mix(info.DstIp.Lo) ^ dp);
        // Order-independent combination of the endpoints, then the protocol.
        ulong h = Mix((a < b ? a : b) * 31 + (a < b ? b : a) + info.Protocol);
        return h == 0 ? 1 : h;
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        return x ^ (x >> 33);
    }

    public bool IsAlerted(ulong flow)
    {
        if (_alertedCount == 0) return false;
        int mask = _alerted.Length - 1;
        for (int i = (int)flow & mask; ; i = (i + 1) & mask)
        {
            ulong k = _alerted[i];
            if (k == flow) return true;
            if (k == 0) return false;
        }
    }

    /// <summary>Marks <paramref name="flow"/> alerted; false when it already was.</summary>
    public bool MarkAlerted(ulong flow)
    {
        if (IsAlerted(flow)) return false;
        if (_alertedCount == MaxAlertedFlows) ForgetOldestHalf();
        Insert(flow);
        _alertedOrder[_alertedCount++] = flow;
        return true;
    }

    private void Insert(ulong flow)
    {
        int mask = _alerted.Length - 1;
        int i = (int)flow & mask;
        while (_alerted[i] != 0) i = (i + 1) & mask;
        _alerted[i] = flow;
    }

    private void ForgetOldestHalf()
    {
        int keep = MaxAlertedFlows / 2;
        Array.Copy(_alertedOrder, MaxAlertedFlows - keep, _alertedOrder, 0, keep);
        Array.Clear(_alerted);
        for (int i = 0; i < keep; i++) Insert(_alertedOrder[i]);
        _alertedCount = keep;
    }

    /// <summary>Remembers a frame of a flow that has not alerted (yet).</summary>
    public void Remember(ulong flow, ReadOnlySpan<byte> frame, int originalLength, long timeNs, CaptureDirection direction)
    {
        int len = Math.Min(frame.Length, HistoryBytes);
        // A frame never wraps around the end of the buffer: skip to the start instead.
        if (_written % HistoryBytes + len > HistoryBytes) _written += HistoryBytes - _written % HistoryBytes;
        long start = _written;
        frame[..len].CopyTo(_data.AsSpan((int)(start % HistoryBytes)));
        _written += len;
        _records[_nextRecord] = new Record { Flow = flow, TimeNs = timeNs, Start = start, Length = len, OriginalLength = originalLength, Direction = direction, Live = true };
        _nextRecord = (_nextRecord + 1) % _records.Length;
    }

    /// <summary>A record's bytes are intact until the writer has gone a whole buffer past its start.</summary>
    private bool Intact(in Record r) => r.Live && _written - r.Start <= HistoryBytes;

    /// <summary>
    /// Hands the remembered frames of <paramref name="flow"/> to <paramref name="store"/>, oldest
    /// first (at most <see cref="MaxPreAlertPackets"/>, the newest), and forgets them.
    /// </summary>
    public int Release<TStore>(ulong flow, ref TStore store) where TStore : struct, IFrameStore
    {
        Span<int> found = stackalloc int[MaxPreAlertPackets];
        int count = 0;
        // Records are a ring: walk from the oldest (the next to be overwritten) to the newest.
        for (int k = 0; k < _records.Length; k++)
        {
            int i = (_nextRecord + k) % _records.Length;
            ref var r = ref _records[i];
            if (r.Flow != flow || !Intact(r)) continue;
            if (count == MaxPreAlertPackets)
            {
                found[1..].CopyTo(found);
                count--;
            }
            found[count++] = i;
        }
        for (int j = 0; j < count; j++)
        {
            ref var r = ref _records[found[j]];
            store.Store(_data.AsSpan((int)(r.Start % HistoryBytes), r.Length), r.OriginalLength, r.TimeNs, r.Direction);
            r.Live = false;
        }
        return count;
    }
}

/// <summary>Where <see cref="AlertFlows.Release{TStore}"/> puts a remembered frame.</summary>
public interface IFrameStore
{
    void Store(ReadOnlySpan<byte> frame, int originalLength, long timeNs, CaptureDirection direction);
}
