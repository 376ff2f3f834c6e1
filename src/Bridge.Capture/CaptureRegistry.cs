using Bridge.Pipeline.Core;

namespace Bridge.Capture;

/// <summary>A change refused because the captures would use more memory than the host allows.</summary>
public sealed class CaptureMemoryException(string message) : Exception(message);

/// <summary>The contents of one capture at the time it was read: merged over workers, oldest first.</summary>
public sealed record CaptureContents(CaptureDefinition Definition, IReadOnlyList<CapturedPacket> Packets, bool Full)
{
    /// <summary>Sum of the stored (cut) frame lengths, L2 header and tags included (ftd-reference §2.3).</summary>
    public long Bytes => Packets.Sum(p => (long)p.Frame.Length);
}

/// <summary>One capture's counters at a scrape (see <see cref="CaptureRegistry.CountersAsync"/>); state is capturing, stopped or buffer-full.</summary>
public sealed record CaptureCounters(string Name, string State, long Packets, long Bytes, long Captured);

/// <summary>
/// The control plane's side of captures: definitions by name, their storage, the global memory
/// limit, and the installation of a fresh <see cref="CaptureSet"/> on every worker whenever a
/// definition changes. Its methods are called from command handlers, serialised by its own lock;
/// the workers never take it.
/// </summary>
public sealed class CaptureRegistry(int workers)
{
    /// <summary>Default for <see cref="MemoryLimitBytes"/>: room for several full-size captures.</summary>
    public const long DefaultMemoryLimit = 256L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ActiveCapture> _captures = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    // Position of each capture in show capture, kept in its definition file across restarts.
    private readonly Dictionary<string, int> _position = new(StringComparer.Ordinal);
    private int _nextPosition;

    public int WorkerCount { get; } = workers;

    /// <summary>Where captures are kept across restarts (set by <see cref="Attach"/>); null: in memory only.</summary>
    public CaptureRingDirectory? Rings { get; private set; }

    /// <summary>Memory all captures together may hold (frame bytes and record headers over every worker).</summary>
    public long MemoryLimitBytes { get; set; } = DefaultMemoryLimit;

    /// <summary>Memory the defined captures hold now.</summary>
    public long MemoryInUse
    {
        get
        {
            lock (_gate) return _captures.Values.Sum(c => c.Storage.MemoryBytes);
        }
    }

    public CaptureDefinition? Find(string name)
    {
        lock (_gate) return _captures.TryGetValue(name, out var c) ? c.Definition : null;
    }

    /// <summary>Definitions in the order they were created (the order of <c>show capture</c>).</summary>
    public IReadOnlyList<CaptureDefinition> Definitions
    {
        get
        {
            lock (_gate) return [.. _order.Select(n => _captures[n].Definition)];
        }
    }

    internal ActiveCapture? Active(string name)
    {
        lock (_gate) return _captures.TryGetValue(name, out var c) ? c : null;
    }

    /// <summary>
    /// Installs <paramref name="definition"/> (new or changed). The rings survive a change that
    /// keeps buffer size and circularity; otherwise the capture restarts empty.
    /// </summary>
    public void Define(CaptureDefinition definition, IReadOnlyList<DataPath> paths)
    {
        lock (_gate)
        {
            if (paths.Count == 0) throw new InvalidOperationException("no data path to capture on");
            _captures.TryGetValue(definition.Name, out var old);
            if (!_position.TryGetValue(definition.Name, out int position)) position = _nextPosition;
            string? text = Rings is null ? null : CaptureRingDirectory.DefinitionText(definition, position);
            ulong hash = text is null ? 0 : CaptureRingFile.Hash(text);
            var storage = old?.Storage;
            try
            {
                if (storage is null || storage.Buffer != definition.Buffer || storage.Circular != definition.Circular)
                {
                    long need = CaptureStorage.MemoryFor(WorkerCount, definition.Buffer);
                    long inUse = _captures.Values.Where(c => c != old).Sum(c => c.Storage.MemoryBytes);
                    if (inUse + need > MemoryLimitBytes)
                    {
                        throw new CaptureMemoryException(
                            $"ERROR: Not enough capture memory for {definition.Name}: it needs {need} bytes ({WorkerCount} worker(s) x buffer {definition.Buffer} and record headers), " +
                            $"{inUse} of the {MemoryLimitBytes}-byte limit are in use. Use a smaller buffer, remove a capture, or raise Bridge:Capture:MemoryLimit.");
                    }
                    storage = Rings is null ? new CaptureStorage(WorkerCount, definition.Buffer, definition.Circular) : CreateRings(Rings, definition, hash);
                }
                else if (text is not null)
                {
                    foreach (var slot in storage.Slots) slot.SetDefinitionHash(hash);
                }
                if (text is not null) Rings!.SaveDefinition(definition.Name, text);
            }
            catch (IOException e)
            {
                throw new CaptureMemoryException($"ERROR: Unable to keep capture {definition.Name} in {Rings!.Directory}: {e.Message}");
            }
            _captures[definition.Name] = new ActiveCapture(definition, storage, paths[0].Snapshot);
            if (old is null)
            {
                _order.Add(definition.Name);
                _position[definition.Name] = position;
                _nextPosition = position + 1;
            }
            InstallLocked(paths);
        }
    }

    private CaptureStorage CreateRings(CaptureRingDirectory rings, CaptureDefinition definition, ulong hash)
    {
        var slots = new CaptureSlot[WorkerCount];
        for (int w = 0; w < slots.Length; w++) slots[w] = CaptureSlot.Create(rings.RingPath(definition.Name, w), definition.Buffer, w, WorkerCount, hash);
        return new CaptureStorage(slots, definition.Buffer, definition.Circular);
    }

    /// <summary>Removes a capture, its rings and its files; false when there is none of that name.</summary>
    public bool Remove(string name, IReadOnlyList<DataPath> paths)
    {
        lock (_gate)
        {
            if (!_captures.Remove(name)) return false;
            _order.Remove(name);
            _position.Remove(name);
            InstallLocked(paths);
            // Workers may still write through the old set for a moment: unlinking leaves their mapping valid.
            Rings?.Delete(name);
            return true;
        }
    }

    /// <summary>
    /// Keeps captures in <paramref name="rings"/> from now on, after re-creating the captures found
    /// there (a restart): each definition is parsed against the running configuration and its ring
    /// files are validated field by field; anything that fails is deleted and reported, never
    /// thrown. Returns one line per capture restored or file discarded, for the log.
    /// </summary>
    public IReadOnlyList<string> Attach(CaptureRingDirectory rings, ICaptureNames names, IReadOnlyList<DataPath> paths)
    {
        var report = new List<string>();
        lock (_gate)
        {
            // The directory first: when it cannot be made, captures stay in memory (Rings null).
            rings.Ensure();
            Rings = rings;
            var found = new List<(CaptureDefinition Definition, int Position, ulong Hash)>();
            foreach (var file in rings.DefinitionFiles())
            {
                try
                {
                    string text = File.ReadAllText(file);
                    var (def, position) = CaptureRingDirectory.ParseDefinition(text, names);
                    if (rings.DefinitionPath(def.Name) != file) throw new FormatException($"defines capture {def.Name}, which belongs in another file");
                    if (_captures.ContainsKey(def.Name)) continue;
                    found.Add((def, position, CaptureRingFile.Hash(text)));
                }
                catch (Exception e) when (e is FormatException or CaptureSyntaxException or IOException or ArgumentException)
                {
                    report.Add($"capture definition {file} discarded: {e.Message}");
                    TryDelete(file);
                }
            }
            found.Sort((a, b) => a.Position.CompareTo(b.Position));
            foreach (var (def, position, hash) in found)
            {
                string? problem = null;
                long need = CaptureStorage.MemoryFor(WorkerCount, def.Buffer);
                long inUse = _captures.Values.Sum(c => c.Storage.MemoryBytes);
                var slots = new CaptureSlot[WorkerCount];
                if (paths.Count == 0) problem = "no data path to capture on";
                else if (inUse + need > MemoryLimitBytes) problem = $"it needs {need} bytes of the capture memory limit, {inUse} of {MemoryLimitBytes} are in use";
                for (int w = 0; w < slots.Length && problem is null; w++)
                {
                    string path = rings.RingPath(def.Name, w);
                    slots[w] = CaptureSlot.Open(path, def.Buffer, w, WorkerCount, hash, out problem)!;
                    if (problem is not null) problem = $"{Path.GetFileName(path)}: {problem}";
                }
                if (problem is not null)
                {
                    report.Add($"capture {def.Name} discarded: {problem}");
                    try
                    {
                        rings.Delete(def.Name);
                    }
                    catch (IOException e)
                    {
                        report.Add($"capture {def.Name}: {e.Message}");
                    }
                    continue;
                }
                var storage = new CaptureStorage(slots, def.Buffer, def.Circular);
                _captures[def.Name] = new ActiveCapture(def, storage, paths[0].Snapshot);
                _order.Add(def.Name);
                _position[def.Name] = position;
                _nextPosition = Math.Max(_nextPosition, position + 1);
                int packets = slots.Sum(s => s.Count);
                long bytes = slots.Sum(s => s.StoredBytes);
                report.Add($"capture {def.Name} restored from {rings.Directory}: {packets} packet{(packets == 1 ? "" : "s")}, {bytes} bytes");
            }
            foreach (var orphan in rings.OrphanRings().ToList())
            {
                report.Add($"capture ring {orphan} discarded: no definition file");
                TryDelete(orphan);
            }
            if (_captures.Count > 0 && paths.Count > 0) InstallLocked(paths);
        }
        return report;
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Reported already; a file that cannot be deleted is simply not used.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    /// <summary>
    /// Rebuilds the capture set against the workers' current snapshot (after a reload renumbered
    /// the interfaces, or to recompile an edited access-list) and installs it.
    /// </summary>
    public void Refresh(IReadOnlyList<DataPath> paths)
    {
        lock (_gate)
        {
            if (paths.Count == 0 || _captures.Values.All(c => ReferenceEquals(c.Snapshot, paths[0].Snapshot))) return;
            InstallLocked(paths);
        }
    }

    private void InstallLocked(IReadOnlyList<DataPath> paths)
    {
        if (_captures.Count == 0)
        {
            // No capture: the pipeline skips the hook entirely (one null check per packet).
            foreach (var p in paths) p.Captures = null;
            return;
        }
        // Every capture is compiled against the snapshot the workers run now, so that interface
        // indexes and access-lists agree with the set's snapshot even after a reload.
        var snapshot = paths[0].Snapshot;
        foreach (var name in _order)
        {
            var c = _captures[name];
            if (!ReferenceEquals(c.Snapshot, snapshot)) _captures[name] = new ActiveCapture(c.Definition, c.Storage, snapshot);
        }
        var set = new CaptureSet([.. _order.Select(n => _captures[n])], snapshot);
        foreach (var p in paths) p.Captures = new WorkerCaptureHook(set, p.WorkerIndex, p);
    }

    /// <summary>
    /// Reads a capture: each worker copies its slot on its own thread (<paramref name="onEachWorker"/>
    /// runs the given action on every worker, as <c>IBridgeRuntime.RunOnWorkers</c> does), then the
    /// copies are merged by time. A circular capture keeps the newest records that fit its buffer.
    /// </summary>
    public async Task<CaptureContents?> ReadAsync(string name, Func<Action<int>, Task> onEachWorker)
    {
        var active = Active(name);
        if (active is null) return null;
        var storage = active.Storage;
        var all = new List<CapturedPacket>();
        await onEachWorker(worker =>
        {
            var mine = new List<CapturedPacket>();
            storage.Slots[worker].CopyTo(mine, worker);
            lock (all) all.AddRange(mine);
        }).ConfigureAwait(false);
        all.Sort(static (a, b) => a.TimeNs != b.TimeNs ? a.TimeNs.CompareTo(b.TimeNs) : a.Worker != b.Worker ? a.Worker.CompareTo(b.Worker) : a.Sequence.CompareTo(b.Sequence));
        if (storage.Circular)
        {
            long bytes = 0;
            int keepFrom = all.Count;
            while (keepFrom > 0 && bytes + all[keepFrom - 1].Frame.Length <= storage.Buffer)
            {
                keepFrom--;
                bytes += all[keepFrom].Frame.Length;
            }
            all.RemoveRange(0, keepFrom);
        }
        return new CaptureContents(active.Definition, all, storage.Full);
    }

    /// <summary>
    /// The packets stored since the last call, merged by time, for a live display: on entry
    /// <paramref name="next"/> holds, per worker, the first sequence number not yet seen (zeros for
    /// "everything"); on return, the sequence numbers to start from next time. Null when the
    /// capture is gone.
    /// </summary>
    public async Task<IReadOnlyList<CapturedPacket>?> ReadNewAsync(string name, long[] next, Func<Action<int>, Task> onEachWorker)
    {
        var active = Active(name);
        if (active is null) return null;
        var storage = active.Storage;
        var fresh = new List<CapturedPacket>();
        await onEachWorker(worker =>
        {
            var mine = new List<CapturedPacket>();
            var slot = storage.Slots[worker];
            slot.CopyTo(mine, worker, next[worker]);
            next[worker] = slot.NextSequence;
            lock (fresh) fresh.AddRange(mine);
        }).ConfigureAwait(false);
        fresh.Sort(static (a, b) => a.TimeNs != b.TimeNs ? a.TimeNs.CompareTo(b.TimeNs) : a.Worker != b.Worker ? a.Worker.CompareTo(b.Worker) : a.Sequence.CompareTo(b.Sequence));
        return fresh;
    }

    /// <summary>
    /// Counters of every capture for the metrics scrape, in <c>show capture</c> order, without
    /// copying a frame: each worker reads its own slots on its own thread. <c>Packets</c> and
    /// <c>Bytes</c> are what the rings hold now; <c>Captured</c> counts every record ever stored
    /// by this storage (it survives <c>clear capture</c>, and restarts with a new buffer).
    /// </summary>
    public async Task<IReadOnlyList<CaptureCounters>> CountersAsync(Func<Action<int>, Task> onEachWorker)
    {
        ActiveCapture[] captures;
        lock (_gate) captures = [.. _order.Select(n => _captures[n])];
        if (captures.Length == 0) return [];
        var packets = new long[captures.Length];
        var bytes = new long[captures.Length];
        var captured = new long[captures.Length];
        await onEachWorker(worker =>
        {
            for (int i = 0; i < captures.Length; i++)
            {
                var slot = captures[i].Storage.Slots[worker];
                Interlocked.Add(ref packets[i], slot.Count);
                Interlocked.Add(ref bytes[i], slot.StoredBytes);
                Interlocked.Add(ref captured[i], slot.NextSequence);
            }
        }).ConfigureAwait(false);
        var result = new CaptureCounters[captures.Length];
        for (int i = 0; i < result.Length; i++)
        {
            var c = captures[i];
            string state = c.Definition.Stopped ? "stopped" : c.Storage.Full ? "buffer-full" : "capturing";
            result[i] = new CaptureCounters(c.Definition.Name, state, packets[i], bytes[i], captured[i]);
        }
        return result;
    }

    /// <summary>Empties a capture's rings (each worker its own slot) and its counters; the definition stays.</summary>
    public async Task<bool> ClearAsync(string name, Func<Action<int>, Task> onEachWorker)
    {
        var active = Active(name);
        if (active is null) return false;
        await onEachWorker(worker => active.Storage.Slots[worker].Clear()).ConfigureAwait(false);
        active.Storage.ResetCounters();
        return true;
    }
}
