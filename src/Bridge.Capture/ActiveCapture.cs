using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Trace;

namespace Bridge.Capture;

/// <summary>
/// The rings of one capture: one <see cref="CaptureSlot"/> per worker plus the few counters the
/// workers share (bytes reserved in a non-circular buffer, the full flag, traces handed out). It
/// outlives definition changes that keep its geometry (buffer, packet length, circularity).
/// </summary>
public sealed class CaptureStorage
{
    private long _reserved;
    private int _full;
    private int _traces;

    public CaptureStorage(int workers, int buffer, bool circular)
        : this(InMemory(workers, buffer), buffer, circular)
    {
    }

    /// <summary>
    /// Storage over existing slots (ring files re-attached after a restart): the shared counters
    /// start from what the slots hold, so a non-circular capture stays as full as it was and the
    /// traces already handed out still count against trace-count.
    /// </summary>
    public CaptureStorage(CaptureSlot[] slots, int buffer, bool circular)
    {
        // Non-circular: the shared reservation bounds the total, but any one worker may carry all
        // of it, so every slot can hold the whole buffer. Circular: each worker keeps its newest
        // `buffer` bytes and the reader keeps the newest `buffer` bytes of the merge, which is what
        // one shared ring would hold.
        Buffer = buffer;
        Circular = circular;
        Slots = slots;
        foreach (var s in slots)
        {
            _reserved += s.StoredBytes;
            _traces += s.TracedRecords;
            if (s.Full) _full = 1;
        }
    }

    private static CaptureSlot[] InMemory(int workers, int buffer)
    {
        var slots = new CaptureSlot[workers];
        for (int i = 0; i < workers; i++) slots[i] = new CaptureSlot(buffer, CaptureRingFile.RecordsFor(buffer));
        return slots;
    }

    public int Buffer { get; }
    public bool Circular { get; }
    public CaptureSlot[] Slots { get; }

    public long MemoryBytes
    {
        get
        {
            long sum = 0;
            foreach (var s in Slots) sum += s.MemoryBytes;
            return sum;
        }
    }

    /// <summary>What a capture of this geometry costs in memory, before it is allocated.</summary>
    public static long MemoryFor(int workers, int buffer)
    {
        int records = CaptureRingFile.RecordsFor(buffer);
        return workers * (CaptureRingFile.FileBytes(buffer, records) + (long)records * CaptureSlot.TraceReferenceBytes);
    }

    /// <summary>Set once a non-circular buffer could not take the next frame ("Buffer Full").</summary>
    public bool Full => Volatile.Read(ref _full) != 0;

    internal bool TryReserve(int len)
    {
        if (Volatile.Read(ref _full) != 0) return false;
        if (Interlocked.Add(ref _reserved, len) <= Buffer) return true;
        Interlocked.Add(ref _reserved, -len);
        Volatile.Write(ref _full, 1);
        return false;
    }

    internal void Unreserve(int len, bool markFull)
    {
        Interlocked.Add(ref _reserved, -len);
        if (markFull) Volatile.Write(ref _full, 1);
    }

    /// <summary>Claims one of the first <paramref name="limit"/> traces.</summary>
    internal bool ClaimTrace(int limit)
    {
        if (Volatile.Read(ref _traces) >= limit) return false;
        return Interlocked.Increment(ref _traces) <= limit;
    }

    /// <summary>Resets the shared counters; the slots are cleared by their workers.</summary>
    public void ResetCounters()
    {
        Interlocked.Exchange(ref _reserved, 0);
        Volatile.Write(ref _full, 0);
        Volatile.Write(ref _traces, 0);
    }
}

/// <summary>
/// A capture as the workers see it: the definition compiled into what the per-packet test needs
/// (match lines, EtherType filter, access-list, interface index under one snapshot) and its storage.
/// Immutable; a new one replaces it when the definition changes.
/// </summary>
public sealed class ActiveCapture
{
    private readonly CaptureMatch[] _matches;
    private readonly CompiledPolicy? _acl;

    public ActiveCapture(CaptureDefinition definition, CaptureStorage storage, RuntimeSnapshot snapshot)
    {
        Definition = definition;
        Storage = storage;
        Snapshot = snapshot;
        _matches = [.. definition.Matches];
        Interface = definition.Interface is null ? -1 : snapshot.FindNameIf(definition.Interface);
        if (definition.AccessList is not null) _acl = CompileAccessList(snapshot, definition.AccessList);
        if (definition.Type == CaptureType.Alert)
        {
            Flows = new AlertFlows[storage.Slots.Length];
            for (int w = 0; w < Flows.Length; w++) Flows[w] = new AlertFlows();
        }
    }

    public CaptureDefinition Definition { get; }
    public CaptureStorage Storage { get; }

    /// <summary>Alert captures: each worker's recent packets and alerted flows (null for other types).</summary>
    public AlertFlows[]? Flows { get; }

    /// <summary>The configuration the interface index and access-list were resolved in.</summary>
    public RuntimeSnapshot Snapshot { get; }

    /// <summary>The capture's nameif index in the snapshot it was built for; -1 for none.</summary>
    public int Interface { get; }

    /// <summary>The filters of the definition: EtherType, match lines (OR-ed, both directions), access-list.</summary>
    public bool Accepts(in FrameInfo info, bool tagged)
    {
        var def = Definition;
        if (def.EthernetType is { } et)
        {
            if (et.TaggedOnly ? !tagged : (info.IsLlc || info.EtherType != et.EtherType)) return false;
        }
        else if (def.Type != CaptureType.AspDrop && !info.IsIp)
        {
            return false;
        }
        var matches = _matches;
        if (matches.Length > 0)
        {
            bool any = false;
            for (int i = 0; i < matches.Length && !any; i++) any = matches[i].Matches(info);
            if (!any) return false;
        }
        if (_acl is not null)
        {
            if (!info.IsIp) return false;
            var key = AclKeys.FromFrame(info);
            int ace = _acl.Match(0, key);
            if (ace < 0 || _acl.ActionOf(ace) == AceAction.Deny) return false;
        }
        return true;
    }

    /// <summary>Stores a frame from worker <paramref name="worker"/>: cut to packet-length (and to the headers with headers-only).</summary>
    public void Store(int worker, ReadOnlySpan<byte> frame, in FrameInfo info, int headerDelta, long timeNs, CaptureDirection direction, DropReason drop, DropSection section, TraceSink? trace)
    {
        var def = Definition;
        if (def.Stopped) return;
        int len = Math.Min(frame.Length, def.PacketLength);
        if (def.HeadersOnly && info.IsIp && info.PayloadOffset > 0)
        {
            len = Math.Min(len, info.PayloadOffset + headerDelta);
        }
        Write(worker, frame.Slice(0, len), frame.Length, timeNs, direction, drop, section, trace);
    }

    /// <summary>Stores a frame already cut to the capture's length (an alert capture's remembered frame).</summary>
    public void StoreRaw(int worker, ReadOnlySpan<byte> stored, int originalLength, long timeNs, CaptureDirection direction)
    {
        if (Definition.Stopped) return;
        Write(worker, stored, originalLength, timeNs, direction, DropReason.None, DropSection.Frame, null);
    }

    private void Write(int worker, ReadOnlySpan<byte> stored, int originalLength, long timeNs, CaptureDirection direction, DropReason drop, DropSection section, TraceSink? trace)
    {
        var slot = Storage.Slots[worker];
        if (Storage.Circular)
        {
            slot.TryWrite(stored, originalLength, timeNs, direction, drop, section, trace, overwrite: true);
            return;
        }
        if (!Storage.TryReserve(stored.Length))
        {
            // Kept in the ring header too, so the capture is still "Buffer Full" after a restart.
            slot.MarkFull();
            return;
        }
        if (!slot.TryWrite(stored, originalLength, timeNs, direction, drop, section, trace, overwrite: false))
        {
            // Out of record headers before out of bytes (a flood of tiny frames): full all the same.
            Storage.Unreserve(stored.Length, markFull: true);
            slot.MarkFull();
        }
    }

    /// <summary>A display filter from an access-list (<c>show capture NAME access-list ACL</c>): true when the list permits the packet.</summary>
    public static Func<FrameInfo, bool> AccessListFilter(RuntimeSnapshot snapshot, string name)
    {
        var acl = CompileAccessList(snapshot, name);
        return info =>
        {
            if (!info.IsIp) return false;
            int ace = acl.Match(0, AclKeys.FromFrame(info));
            return ace >= 0 && acl.ActionOf(ace) != AceAction.Deny;
        };
    }

    /// <summary>
    /// The named access-list as a policy of its own: the running config with every access-group
    /// replaced by one global binding of that list, compiled by the pipeline's ACL compiler.
    /// </summary>
    private static CompiledPolicy CompileAccessList(RuntimeSnapshot snapshot, string name)
    {
        var lines = snapshot.Config.ToText().Split('\n')
            .Where(l => !l.StartsWith("access-group ", StringComparison.Ordinal))
            .Append($"access-group {name} global");
        var cfg = Pipeline.Config.BridgeConfig.Parse(string.Join('\n', lines), "capture access-list");
        var names = snapshot.Interfaces.Select(i => i.NameIf).ToArray();
        return CompiledPolicy.Build(cfg, names.Length == 0 ? ["capture"] : names);
    }
}
