using Bridge.Packets;
using Bridge.Pipeline.Trace;

namespace Bridge.Capture;

/// <summary>How a stored frame met the capture.</summary>
public enum CaptureDirection : byte
{
    Ingress,
    Egress,
    Drop,
}

/// <summary>
/// One worker's part of a capture: a ring of frame bytes and a ring of record headers, written by
/// that worker only, so without locks or atomics. Records never wrap inside the byte ring: one that
/// does not fit before the end starts at offset 0. Reading (and clearing) happens on the same worker
/// thread (the control plane posts it through <c>RunOnWorkers</c>), so a reader never sees a record
/// half written.
/// </summary>
public sealed class CaptureSlot
{
    /// <summary>Header cost of one record in memory (the record struct, its array slot).</summary>
    internal const int RecordBytes = 48;

    private readonly byte[] _data;
    private readonly Record[] _records;
    private int _first;     // index of the oldest record
    private int _count;
    private int _dataHead;  // offset of the oldest record's bytes
    private int _dataTail;  // where the next record's bytes go
    private long _sequence;

    private struct Record
    {
        public long TimeNs;
        public long Sequence;
        public int Offset;
        public int Length;
        public int OriginalLength;
        public DropReason Drop;
        public DropSection Section;
        public CaptureDirection Direction;
        public TraceSink? Trace;
    }

    public CaptureSlot(int dataBytes, int maxRecords)
    {
        _data = new byte[dataBytes];
        _records = new Record[maxRecords];
    }

    /// <summary>Bytes this slot holds in memory (frame bytes plus record headers).</summary>
    public long MemoryBytes => _data.LongLength + (long)_records.Length * RecordBytes;

    /// <summary>Frame bytes stored now (sum of stored lengths).</summary>
    public long StoredBytes { get; private set; }

    public int Count => _count;

    /// <summary>
    /// Stores <paramref name="frame"/> (already cut to the capture's packet length). When it does
    /// not fit: with <paramref name="overwrite"/> the oldest records are dropped until it does,
    /// otherwise nothing is stored and false is returned.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> frame, int originalLength, long timeNs, CaptureDirection direction, DropReason drop, DropSection section, TraceSink? trace, bool overwrite)
    {
        int len = frame.Length;
        if (len > _data.Length) return false;
        int at;
        while ((at = FreeOffset(len)) < 0 || _count == _records.Length)
        {
            if (!overwrite || _count == 0) return false;
            EvictOldest();
        }
        frame.CopyTo(_data.AsSpan(at));
        int index = _first + _count;
        if (index >= _records.Length) index -= _records.Length;
        ref var r = ref _records[index];
        r.TimeNs = timeNs;
        r.Sequence = _sequence++;
        r.Offset = at;
        r.Length = len;
        r.OriginalLength = originalLength;
        r.Drop = drop;
        r.Section = section;
        r.Direction = direction;
        r.Trace = trace;
        if (_count == 0) _dataHead = at;
        _dataTail = at + len;
        _count++;
        StoredBytes += len;
        return true;
    }

    /// <summary>Where <paramref name="len"/> bytes fit now, or -1.</summary>
    private int FreeOffset(int len)
    {
        if (_count == 0) return 0;
        bool wrapped = _dataTail <= _dataHead;
        if (!wrapped)
        {
            if (_dataTail + len <= _data.Length) return _dataTail;
            return len <= _dataHead ? 0 : -1;
        }
        return _dataTail + len <= _dataHead ? _dataTail : -1;
    }

    private void EvictOldest()
    {
        ref var r = ref _records[_first];
        StoredBytes -= r.Length;
        r.Trace = null;
        _first = _first + 1 == _records.Length ? 0 : _first + 1;
        _count--;
        if (_count == 0)
        {
            _first = 0;
            _dataHead = _dataTail = 0;
        }
        else
        {
            _dataHead = _records[_first].Offset;
        }
    }

    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            int index = (_first + i) % _records.Length;
            _records[index].Trace = null;
        }
        _first = 0;
        _count = 0;
        _dataHead = _dataTail = 0;
        StoredBytes = 0;
    }

    /// <summary>Sequence number the next record will get: records are numbered in the order written.</summary>
    public long NextSequence => _sequence;

    /// <summary>
    /// Copies the records numbered at or above <paramref name="fromSequence"/> out, oldest first.
    /// Call on the owning worker's thread.
    /// </summary>
    public void CopyTo(List<CapturedPacket> into, int worker, long fromSequence = 0)
    {
        for (int i = 0; i < _count; i++)
        {
            ref var r = ref _records[(_first + i) % _records.Length];
            if (r.Sequence < fromSequence) continue;
            into.Add(new CapturedPacket(r.TimeNs, worker, r.Sequence, _data.AsSpan(r.Offset, r.Length).ToArray(), r.OriginalLength, r.Direction, r.Drop, r.Section, r.Trace));
        }
    }
}

/// <summary>A stored frame as the control plane reads it: a copy, safe to keep.</summary>
public sealed record CapturedPacket(long TimeNs, int Worker, long Sequence, byte[] Frame, int OriginalLength, CaptureDirection Direction, DropReason Drop, DropSection Section, TraceSink? Trace);
