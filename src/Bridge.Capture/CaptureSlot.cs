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
/// <para>
/// Both rings live in <see cref="CaptureRingFile"/> layout, in a mapped file when captures survive
/// restarts: each record is written completely before the header's window (one 64-bit store) takes
/// it in, and evictions are published before their bytes are overwritten, so a kill at any moment
/// loses at most the record being written. Traces stay in memory (a <see cref="TraceSink"/> is an
/// object graph); the record keeps a flag saying it had one.
/// </para>
/// </summary>
public sealed unsafe class CaptureSlot
{
    /// <summary>In-memory cost per record beside the ring: the trace reference.</summary>
    internal const int TraceReferenceBytes = 8;

    private readonly RingMemory _memory;
    private readonly RingHeader* _header;
    private readonly RingRecord* _records;
    private readonly byte* _data;
    private readonly int _dataBytes;
    private readonly int _maxRecords;
    private readonly TraceSink?[] _traces;
    private int _first;     // index of the oldest record
    private int _count;
    private int _dataHead;  // offset of the oldest record's bytes
    private int _dataTail;  // where the next record's bytes go
    private long _sequence;

    /// <summary>An in-memory slot (nothing survives the process).</summary>
    public CaptureSlot(int dataBytes, int maxRecords)
        : this(RingMemory.Anonymous(CaptureRingFile.FileBytes(dataBytes, maxRecords)), dataBytes, maxRecords, 0, 1, 0, initialise: true)
    {
    }

    private CaptureSlot(RingMemory memory, int dataBytes, int maxRecords, int worker, int workers, ulong definitionHash, bool initialise)
    {
        _memory = memory;
        _dataBytes = dataBytes;
        _maxRecords = maxRecords;
        // SAFETY: the memory is FileBytes(dataBytes, maxRecords) long: header, records, then data.
        _header = (RingHeader*)memory.Pointer;
        _records = (RingRecord*)(memory.Pointer + CaptureRingFile.HeaderBytes);
        _data = memory.Pointer + CaptureRingFile.DataOffset(maxRecords);
        _traces = new TraceSink?[maxRecords];
        if (initialise)
        {
            *_header = new RingHeader
            {
                Magic = CaptureRingFile.Magic,
                Version = CaptureRingFile.Version,
                HeaderBytes = CaptureRingFile.HeaderBytes,
                DefinitionHash = definitionHash,
                DataBytes = (uint)dataBytes,
                MaxRecords = (uint)maxRecords,
                RecordSize = CaptureRingFile.RecordSize,
                Worker = (uint)worker,
                Workers = (uint)workers,
            };
        }
    }

    /// <summary>Creates worker <paramref name="worker"/>'s ring file at <paramref name="path"/> (replacing any old file), empty.</summary>
    public static CaptureSlot Create(string path, int dataBytes, int worker, int workers, ulong definitionHash)
    {
        int maxRecords = CaptureRingFile.RecordsFor(dataBytes);
        var memory = RingMemory.Map(path, CaptureRingFile.FileBytes(dataBytes, maxRecords), create: true);
        return new CaptureSlot(memory, dataBytes, maxRecords, worker, workers, definitionHash, initialise: true);
    }

    /// <summary>
    /// Re-attaches a ring file written before a restart. Every header field and every record in the
    /// window is checked against the expected geometry; a file that fails any check is not used and
    /// <paramref name="problem"/> says why.
    /// </summary>
    public static CaptureSlot? Open(string path, int dataBytes, int worker, int workers, ulong definitionHash, out string? problem)
    {
        int maxRecords = CaptureRingFile.RecordsFor(dataBytes);
        long size = CaptureRingFile.FileBytes(dataBytes, maxRecords);
        try
        {
            long actual = new FileInfo(path).Length;
            if (actual != size)
            {
                problem = $"size {actual} bytes, expected {size}";
                return null;
            }
            var slot = new CaptureSlot(RingMemory.Map(path, size, create: false), dataBytes, maxRecords, worker, workers, definitionHash, initialise: false);
            problem = slot.Validate(definitionHash, worker, workers);
            return problem is null ? slot : null;
        }
        catch (IOException e)
        {
            problem = e.Message;
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Checks the mapped header and records and loads the window; null when valid, else the reason.</summary>
    private string? Validate(ulong definitionHash, int worker, int workers)
    {
        var h = *_header;
        if (h.Magic != CaptureRingFile.Magic) return "not a capture ring (bad magic)";
        if (h.Version != CaptureRingFile.Version) return $"format version {h.Version}, expected {CaptureRingFile.Version}";
        if (h.HeaderBytes != CaptureRingFile.HeaderBytes || h.RecordSize != CaptureRingFile.RecordSize) return "header or record size differs";
        if (h.DataBytes != (uint)_dataBytes || h.MaxRecords != (uint)_maxRecords) return $"geometry {h.DataBytes} bytes / {h.MaxRecords} records, expected {_dataBytes} / {_maxRecords}";
        if (h.Worker != (uint)worker || h.Workers != (uint)workers) return $"written by worker {h.Worker} of {h.Workers}, expected {worker} of {workers}";
        if (h.DefinitionHash != definitionHash) return "written for another definition of the capture";
        if ((h.Flags & ~CaptureRingFile.FlagFull) != 0) return "unknown flags";
        uint first = (uint)(h.Window >> 32), count = (uint)h.Window;
        if (count > (uint)_maxRecords || (count > 0 && first >= (uint)_maxRecords)) return "record window out of range";
        if (h.NextSequence < 0) return "negative sequence";
        long stored = 0;
        int prevEnd = 0;
        long prevSeq = 0;
        bool wrapped = false;
        for (uint i = 0; i < count; i++)
        {
            ref var r = ref _records[(first + i) % (uint)_maxRecords];
            if (r.Offset < 0 || r.Length <= 0 || r.Offset > _dataBytes - r.Length) return $"record {r.Sequence} outside the data ring";
            if (r.OriginalLength < r.Length || r.Direction > (byte)CaptureDirection.Drop || r.Drop >= (byte)DropReason.Count
                || r.Section > (byte)DropSection.Flow || (r.Flags & ~CaptureRingFile.RecordTraced) != 0)
            {
                return $"record {r.Sequence} has invalid fields";
            }
            if (i > 0)
            {
                if (r.Sequence != prevSeq + 1) return "records out of sequence";
                if (r.Offset != prevEnd)
                {
                    // Records follow each other in the byte ring, wrapping to offset 0 at most once.
                    if (r.Offset != 0 || wrapped) return $"record {r.Sequence} overlaps another";
                    wrapped = true;
                }
            }
            prevSeq = r.Sequence;
            prevEnd = r.Offset + r.Length;
            stored += r.Length;
        }
        if (wrapped && prevEnd > _records[first].Offset) return "records overlap after the wrap";
        if (count > 0 && h.NextSequence <= prevSeq) return "sequence behind its records";
        _first = count == 0 ? 0 : (int)first;
        _count = (int)count;
        _dataHead = count == 0 ? 0 : _records[first].Offset;
        _dataTail = count == 0 ? 0 : prevEnd;
        _sequence = h.NextSequence;
        StoredBytes = stored;
        return null;
    }

    /// <summary>The ring file, or null for an in-memory slot.</summary>
    public string? Path => _memory.Path;

    /// <summary>Bytes this slot holds in memory (the ring plus the trace references).</summary>
    public long MemoryBytes => _memory.Length + (long)_traces.Length * TraceReferenceBytes;

    /// <summary>Frame bytes stored now (sum of stored lengths).</summary>
    public long StoredBytes { get; private set; }

    public int Count => _count;

    /// <summary>True once this worker found a non-circular capture full (kept in the ring header).</summary>
    internal bool Full => (Volatile.Read(ref _header->Flags) & CaptureRingFile.FlagFull) != 0;

    internal void MarkFull()
    {
        if ((_header->Flags & CaptureRingFile.FlagFull) == 0) Volatile.Write(ref _header->Flags, _header->Flags | CaptureRingFile.FlagFull);
    }

    /// <summary>Records in the window that were stored with a trace (restored or not).</summary>
    internal int TracedRecords
    {
        get
        {
            int n = 0;
            for (int i = 0; i < _count; i++)
            {
                if ((_records[(_first + i) % _maxRecords].Flags & CaptureRingFile.RecordTraced) != 0) n++;
            }
            return n;
        }
    }

    /// <summary>Records which definition the ring now belongs to (a change that kept the geometry).</summary>
    internal void SetDefinitionHash(ulong hash) => Volatile.Write(ref _header->DefinitionHash, hash);

    /// <summary>
    /// Stores <paramref name="frame"/> (already cut to the capture's packet length). When it does
    /// not fit: with <paramref name="overwrite"/> the oldest records are dropped until it does,
    /// otherwise nothing is stored and false is returned.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> frame, int originalLength, long timeNs, CaptureDirection direction, DropReason drop, DropSection section, TraceSink? trace, bool overwrite)
    {
        int len = frame.Length;
        if (len > _dataBytes || len == 0) return false;
        int at;
        bool evicted = false;
        while ((at = FreeOffset(len)) < 0 || _count == _maxRecords)
        {
            if (!overwrite || _count == 0) return false;
            EvictOldest();
            evicted = true;
        }
        // The evictions reach the file before the bytes they freed are overwritten.
        if (evicted) Publish();
        // SAFETY: FreeOffset guarantees at + len <= _dataBytes, inside the mapped data ring.
        frame.CopyTo(new Span<byte>(_data + at, len));
        int index = _first + _count;
        if (index >= _maxRecords) index -= _maxRecords;
        ref var r = ref _records[index];
        r.TimeNs = timeNs;
        r.Sequence = _sequence++;
        r.Offset = at;
        r.Length = len;
        r.OriginalLength = originalLength;
        r.Drop = (byte)drop;
        r.Section = (byte)section;
        r.Direction = (byte)direction;
        r.Flags = trace is null ? (byte)0 : CaptureRingFile.RecordTraced;
        _traces[index] = trace;
        if (_count == 0) _dataHead = at;
        _dataTail = at + len;
        _count++;
        StoredBytes += len;
        Publish();
        GC.KeepAlive(_memory);
        return true;
    }

    /// <summary>Makes the in-memory window the file's: sequence first, then the window in one store.</summary>
    private void Publish()
    {
        Volatile.Write(ref _header->NextSequence, _sequence);
        Volatile.Write(ref _header->Window, ((ulong)(uint)_first << 32) | (uint)_count);
    }

    /// <summary>Where <paramref name="len"/> bytes fit now, or -1.</summary>
    private int FreeOffset(int len)
    {
        if (_count == 0) return 0;
        bool wrapped = _dataTail <= _dataHead;
        if (!wrapped)
        {
            if (_dataTail + len <= _dataBytes) return _dataTail;
            return len <= _dataHead ? 0 : -1;
        }
        return _dataTail + len <= _dataHead ? _dataTail : -1;
    }

    private void EvictOldest()
    {
        StoredBytes -= _records[_first].Length;
        _traces[_first] = null;
        _first = _first + 1 == _maxRecords ? 0 : _first + 1;
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

    /// <summary>Empties the slot and its file (<c>clear capture</c>); record numbering goes on.</summary>
    public void Clear()
    {
        Array.Clear(_traces);
        _first = 0;
        _count = 0;
        _dataHead = _dataTail = 0;
        StoredBytes = 0;
        Publish();
        Volatile.Write(ref _header->Flags, 0);
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
            int index = (_first + i) % _maxRecords;
            var r = _records[index];
            if (r.Sequence < fromSequence) continue;
            var trace = _traces[index];
            bool lost = trace is null && (r.Flags & CaptureRingFile.RecordTraced) != 0;
            // SAFETY: Offset and Length were checked against the data ring when written or restored.
            var bytes = new ReadOnlySpan<byte>(_data + r.Offset, r.Length).ToArray();
            into.Add(new CapturedPacket(r.TimeNs, worker, r.Sequence, bytes, r.OriginalLength, (CaptureDirection)r.Direction, (DropReason)r.Drop, (DropSection)r.Section, trace, lost));
        }
        GC.KeepAlive(_memory);
    }
}

/// <summary>
/// A stored frame as the control plane reads it: a copy, safe to keep. <paramref name="TraceLost"/>:
/// the packet was traced, but the trace lived in memory only and the daemon restarted since.
/// </summary>
public sealed record CapturedPacket(long TimeNs, int Worker, long Sequence, byte[] Frame, int OriginalLength, CaptureDirection Direction, DropReason Drop, DropSection Section, TraceSink? Trace, bool TraceLost = false);
