using System.Globalization;
using Bridge.Daemon.Runtime;
using Bridge.Io;
using Bridge.Io.AfPacket;
using Bridge.Io.Pcap;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Ports;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Forwarding;

/// <summary>
/// The live data plane: prepares the NICs, opens every port with one fanout member per worker,
/// runs the workers, and swaps configuration snapshots into them. It is the
/// <see cref="IBridgeRuntime"/> the control plane works through.
/// </summary>
public sealed class DataPlane : IBridgeRuntime, IDisposable
{
    private readonly DataPlaneOptions _options;
    private readonly ILogger _log;
    private readonly MacTable _macs = new();
    private readonly object _reloadLock = new();
    private RuntimeSnapshot _snapshot;
    private Worker[] _workers = [];
    private DataPath[] _dataPaths = [];
    private DevicePorts[] _devices = [];
    private long[] _lastHeartbeat = [];
    private bool _started;

    public DataPlane(BridgeConfig config, string configPath, DataPlaneOptions options, ILogger<DataPlane> log)
    {
        _options = options;
        _log = log;
        ConfigPath = configPath;
        _snapshot = RuntimeSnapshot.Build(config);
    }

    public RuntimeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public IReadOnlyList<DataPath> Workers => _dataPaths;

    public long NowNs() => UnixClock.NowNs();

    public DateTimeOffset StartedAt { get; private set; }

    public string ConfigPath { get; }

    public int WorkerCount => _workers.Length;

    /// <summary>Prepares the NICs, binds every port and starts the workers; throws <see cref="DataPlaneStartException"/> with the reason.</summary>
    public void Start()
    {
        if (_started)
            throw new InvalidOperationException("the data plane is already running");
        var snap = Snapshot;
        if (snap.Devices.Count == 0)
        {
            throw new DataPlaneStartException(
                $"{ConfigPath} names no interface with a nameif, so there is nothing to bridge. Name two NICs " +
                "('interface eth1' / ' nameif INSIDE' / ' bridge-group 1', and the same for OUTSIDE), or try Bridge " +
                "in a lab of network namespaces first: scripts/lab up (see README.md).");
        }
        if (snap.Devices.Count < 2)
            _log.LogWarning("Only one device ({Device}) is configured: frames can only be bridged between its VLANs", snap.Devices[0]);

        int workers = _options.EffectiveWorkers;
        var nics = new NicInfo[snap.Devices.Count];
        for (int p = 0; p < nics.Length; p++)
            nics[p] = PrepareNic(snap, p);
        for (int p = 1; p < nics.Length; p++)
        {
            if (NicSetup.CompareMtu(nics[0], nics[p]) is { } warning)
                _log.LogWarning("{Warning}", warning);
        }

        var devices = new DevicePorts[nics.Length];
        try
        {
            for (int p = 0; p < nics.Length; p++)
                devices[p] = OpenDevice(snap, p, nics[p], workers);
        }
        catch
        {
            foreach (var d in devices)
                d?.Dispose();
            throw;
        }

        var all = new Worker[workers];
        for (int w = 0; w < workers; w++)
        {
            var ports = new IFramePort[devices.Length];
            for (int p = 0; p < devices.Length; p++)
                ports[p] = devices[p].Members[w];
            int index = w;
            all[w] = new Worker(w, ports, tx => new DataPath(snap, _macs, tx, index, workers, _options.FlowTableSize));
        }
        _devices = devices;
        _workers = all;
        _dataPaths = Array.ConvertAll(all, static w => w.DataPath);
        _lastHeartbeat = new long[workers];
        StartedAt = DateTimeOffset.UtcNow;
        foreach (var w in all)
            w.Start();
        _started = true;
    }

    /// <summary>Interface traffic and <c>show asp drop</c>, summed over workers.</summary>
    public string FinalReport()
    {
        var snap = Snapshot;
        var sb = new System.Text.StringBuilder();
        foreach (var li in snap.Interfaces)
        {
            long pin = 0, pout = 0, drop = 0;
            foreach (var dp in _dataPaths)
            {
                pin += dp.Interfaces[li.Index].PacketsIn;
                pout += dp.Interfaces[li.Index].PacketsOut;
                drop += dp.Interfaces[li.Index].Dropped;
            }
            sb.Append(CultureInfo.InvariantCulture, $"Interface {li.NameIf}: {pin} packets input, {pout} packets output, {drop} packets dropped\n");
        }
        foreach (var port in Ports)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"Port {port.Device} ({port.Driver}): {port.RxFrames} frames received, {port.RxKernelDrops} dropped by a full ring, {port.RxTruncated} truncated, {port.TxFrames} sent, {port.TxDropped} refused by the kernel\n");
        }
        sb.Append(Bridge.Pipeline.Show.ShowAspDrop.Render(_dataPaths));
        return sb.ToString();
    }

    /// <summary>One line for the log and systemd's STATUS: what runs where.</summary>
    public string Describe()
    {
        var snap = Snapshot;
        var parts = new List<string>();
        foreach (var li in snap.Interfaces)
        {
            var d = _devices.Length > li.PhysPort ? _devices[li.PhysPort] : null;
            string link = d is null ? "" : d.Members[0].LinkUp ? " up" : " down";
            string vlan = li.Vlan != 0 ? $" vlan {li.Vlan}" : "";
            parts.Add($"{li.NameIf} {li.Device}{vlan}{link}");
        }
        string driver = _devices.Length == 0 ? "" : string.Join("/", Array.ConvertAll(_devices, static d => d.Driver).Distinct());
        return $"{string.Join(", ", parts)}; {_workers.Length} worker(s), {driver}";
    }

    private NicInfo PrepareNic(RuntimeSnapshot snap, int port)
    {
        string device = snap.Devices[port];
        try
        {
            var nic = NicSetup.Prepare(device);
            // The device MTU is what the configured nameifs allow (FTD sets the interface MTU the same way).
            int wanted = 0;
            foreach (var li in snap.Interfaces)
            {
                if (li.PhysPort == port)
                    wanted = Math.Max(wanted, li.Mtu);
            }
            if (wanted > 0 && nic.Mtu != wanted)
            {
                _log.LogInformation("Setting the MTU of {Device} from {Old} to {New} (the configured mtu)", device, nic.Mtu, wanted);
                NicSetup.SetMtu(device, wanted);
                nic = NicSetup.Query(device);
            }
            var offloads = NicSetup.ReadOffloads(device);
            if (offloads.Gro || offloads.Lro)
            {
                throw new DataPlaneStartException(
                    $"{device}: GRO/LRO are still on after trying to switch them off (GRO {(offloads.Gro ? "on" : "off")}, LRO {(offloads.Lro ? "on" : "off")}). " +
                    $"Merged frames would be larger than the MTU and could not be forwarded; turn them off with 'ethtool -K {device} gro off lro off' and start again.");
            }
            if (!nic.Running)
                _log.LogWarning("{Device} has no carrier yet: frames towards it are dropped (interface-down) until the link comes up", device);
            return nic;
        }
        catch (NicSetupException e)
        {
            throw new DataPlaneStartException($"cannot prepare {device} ({e.Step}): {e.Message}. Check the device name in {ConfigPath} and that bridged has CAP_NET_ADMIN.", e);
        }
    }

    private DevicePorts OpenDevice(RuntimeSnapshot snap, int port, NicInfo nic, int workers)
    {
        string device = snap.Devices[port];
        var driver = PortDriver.AfPacket;
        foreach (var ic in snap.Config.Interfaces)
        {
            if (ic.Device == device && ic.NameIf is not null)
                driver = ic.Driver;
        }
        // Fanout ids are per network namespace; the process id keeps two daemons in one namespace apart.
        int group = (Environment.ProcessId * 8 + port) & 0xFFFF;
        try
        {
            if (driver == PortDriver.Pcap)
            {
                var members = PcapPort.OpenFanout(device, group, workers, _options.Pcap);
                string settings = string.Create(CultureInfo.InvariantCulture,
                    $"libpcap, buffer {_options.Pcap.BufferBytes >> 10} KiB, timeout {_options.Pcap.ReadTimeoutMs} ms, fanout hash group {group}");
                return new DevicePorts(device, "pcap", nic, members, settings);
            }
            else
            {
                var opts = _options.AfPacket with { Mtu = nic.Mtu };
                var members = AfPacketPort.OpenFanout(device, group, workers, opts);
                string ring = opts.Ring == RingVersion.V3
                    ? $"TPACKET_V3, {opts.RingBytes >> 10} KiB ring, {opts.BlockBytes >> 10} KiB blocks, {opts.BlockTimeoutMs} ms block timeout"
                    : $"TPACKET_V2, {opts.RingBytes >> 10} KiB ring";
                string settings = string.Create(CultureInfo.InvariantCulture,
                    $"{ring}, sendmmsg batch {opts.TxBatch}{(opts.QdiscBypass ? ", qdisc bypass" : "")}, fanout hash group {group}");
                return new DevicePorts(device, "afpacket", nic, members, settings);
            }
        }
        catch (Exception e) when (e is IOException or NicSetupException or SharpPcap.PcapException)
        {
            throw new DataPlaneStartException($"cannot open {device} with port-driver {(driver == PortDriver.Pcap ? "pcap" : "afpacket")}: {e.Message}", e);
        }
    }

    /// <summary>Stops the workers after their current batch (each flushes what it queued) and closes the ports.</summary>
    public void Stop()
    {
        if (!_started)
            return;
        _started = false;
        var deadline = DateTime.UtcNow + _options.DrainTimeout;
        foreach (var w in _workers)
        {
            var left = deadline - DateTime.UtcNow;
            if (!w.Stop(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                _log.LogWarning("Worker {Index} did not stop within {Timeout}", w.Index, _options.DrainTimeout);
        }
        // The ports' kernel counters are read before the sockets close.
        StoppedReport = FinalReport();
        foreach (var d in _devices)
            d.Dispose();
    }

    /// <summary>The final counters, taken by <see cref="Stop"/> after the workers ended and before the ports closed.</summary>
    public string StoppedReport { get; private set; } = "";

    public void Dispose() => Stop();

    /// <summary>
    /// True when every worker thread is alive and has turned its loop since the previous call: the
    /// watchdog pings systemd only then, so a stuck or dead worker gets the daemon restarted.
    /// </summary>
    public bool CheckHealth(out string problem)
    {
        problem = "";
        if (!_started)
        {
            problem = "the data plane is not running";
            return false;
        }
        bool healthy = true;
        for (int i = 0; i < _workers.Length; i++)
        {
            var w = _workers[i];
            long beat = w.Heartbeat;
            if (!w.IsAlive)
            {
                problem = $"worker {i} has stopped: {w.Fatal?.Message ?? "unknown reason"}";
                healthy = false;
            }
            else if (beat == _lastHeartbeat[i])
            {
                problem = $"worker {i} has not turned its loop since the last check";
                healthy = false;
            }
            _lastHeartbeat[i] = beat;
        }
        return healthy;
    }

    /// <summary>Frame faults summed over workers, with the last exception, for the periodic log.</summary>
    public (long Faults, Exception? Last) FrameFaults()
    {
        long total = 0;
        Exception? last = null;
        foreach (var w in _workers)
        {
            total += w.FrameFaults;
            last ??= w.LastFault;
        }
        return (total, last);
    }

    public IReadOnlyList<PortStatus> Ports
    {
        get
        {
            var list = new PortStatus[_devices.Length];
            for (int p = 0; p < list.Length; p++)
                list[p] = _devices[p].Status();
            return list;
        }
    }

    public Task RunOnWorkers(Action<DataPath> action, CancellationToken cancellationToken = default)
    {
        var workers = _workers;
        if (workers.Length == 0)
            return Task.CompletedTask;
        var tasks = new Task[workers.Length];
        for (int i = 0; i < workers.Length; i++)
            tasks[i] = workers[i].Post(action, cancellationToken);
        return Task.WhenAll(tasks);
    }

    public async Task<T> RunOnWorker<T>(int worker, Func<DataPath, T> action, CancellationToken cancellationToken = default)
    {
        var workers = _workers;
        ArgumentOutOfRangeException.ThrowIfNegative(worker);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(worker, workers.Length);
        T result = default!;
        await workers[worker].Post(dp => result = action(dp), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Configuration changes installed and refused since start (file reloads and commands).</summary>
    public long ConfigsApplied => Interlocked.Read(ref _configsApplied);
    public long ConfigsRefused => Interlocked.Read(ref _configsRefused);
    private long _configsApplied;
    private long _configsRefused;

    public ReloadResult Reload()
    {
        BridgeConfig config;
        try
        {
            config = BridgeConfig.Load(ConfigPath);
        }
        catch (ConfigException e)
        {
            var result = new ReloadResult(false, $"{e.Message}; the running configuration is unchanged");
            _log.LogError("Reload refused: {Reason}", result.Message);
            Interlocked.Increment(ref _configsRefused);
            return result;
        }
        catch (IOException e)
        {
            var result = new ReloadResult(false, $"cannot read {ConfigPath}: {e.Message}; the running configuration is unchanged");
            _log.LogError("Reload refused: {Reason}", result.Message);
            Interlocked.Increment(ref _configsRefused);
            return result;
        }
        var applied = Apply(config);
        if (applied.Applied)
            _log.LogInformation("Reloaded {Path}: {Message}", ConfigPath, applied.Message);
        else
            _log.LogError("Reload refused: {Reason}", applied.Message);
        return applied;
    }

    public ReloadResult Apply(BridgeConfig config)
    {
        var result = ApplyLocked(config);
        Interlocked.Increment(ref result.Applied ? ref _configsApplied : ref _configsRefused);
        return result;
    }

    private ReloadResult ApplyLocked(BridgeConfig config)
    {
        lock (_reloadLock)
        {
            var old = Snapshot;
            if (config.Equals(old.Config))
                return new ReloadResult(true, "no change");
            RuntimeSnapshot next;
            try
            {
                next = RuntimeSnapshot.Build(config);
            }
            catch (ConfigException e)
            {
                return new ReloadResult(false, e.Message + "; the running configuration is unchanged");
            }
            if (_started && RebindNeeded(old, next) is { } why)
                return new ReloadResult(false, $"{why}: restart bridged to rebind the ports; the running configuration is unchanged");
            // Learned MACs name interfaces by index: when the list of nameifs changes, relearn.
            if (!SameInterfaces(old, next))
                _macs.Clear();
            foreach (var dp in _dataPaths)
                dp.Swap(next);
            Volatile.Write(ref _snapshot, next);
            return new ReloadResult(true, $"{next.Interfaces.Count} interface(s), {next.Policy.AceCount} access-list element(s); established connections kept");
        }
    }

    private static bool SameInterfaces(RuntimeSnapshot a, RuntimeSnapshot b)
    {
        if (a.Interfaces.Count != b.Interfaces.Count)
            return false;
        for (int i = 0; i < a.Interfaces.Count; i++)
        {
            var x = a.Interfaces[i];
            var y = b.Interfaces[i];
            if (x.NameIf != y.NameIf || x.PhysPort != y.PhysPort || x.Vlan != y.Vlan || x.BridgeGroup != y.BridgeGroup)
                return false;
        }
        return true;
    }

    // Ports are opened once per device and driver and sized by the MTU: changing those needs new sockets.
    private static string? RebindNeeded(RuntimeSnapshot old, RuntimeSnapshot next)
    {
        if (!old.Devices.SequenceEqual(next.Devices))
            return $"the bridged devices change from {string.Join(", ", old.Devices)} to {string.Join(", ", next.Devices)}";
        foreach (var device in old.Devices)
        {
            var (oldDriver, oldMtu) = DeviceSettings(old, device);
            var (newDriver, newMtu) = DeviceSettings(next, device);
            if (oldDriver != newDriver)
                return $"the port-driver of {device} changes";
            if (oldMtu != newMtu)
                return $"the mtu of {device} changes from {oldMtu} to {newMtu}";
        }
        return null;
    }

    private static (PortDriver Driver, int Mtu) DeviceSettings(RuntimeSnapshot snap, string device)
    {
        var driver = PortDriver.AfPacket;
        int mtu = 0;
        foreach (var ic in snap.Config.Interfaces)
        {
            if (ic.Device != device || ic.NameIf is null)
                continue;
            driver = ic.Driver;
            mtu = Math.Max(mtu, ic.Mtu);
        }
        return (driver, mtu);
    }

    /// <summary>All fanout members of one device, with the counters the control plane shows.</summary>
    private sealed class DevicePorts(string device, string driver, NicInfo nic, IFramePort[] members, string settings) : IDisposable
    {
        private readonly object _statsLock = new();
        private long _kernelDrops;

        public string Device { get; } = device;
        public string Driver { get; } = driver;
        public IFramePort[] Members { get; } = members;

        public PortStatus Status()
        {
            long rx = 0, truncated = 0, tx = 0, txDropped = 0;
            lock (_statsLock)
            {
                foreach (var m in Members)
                {
                    switch (m)
                    {
                        case AfPacketPort a:
                            rx += a.RxFrames; truncated += a.RxTruncated; tx += a.TxFrames; txDropped += a.TxDropped;
                            // PACKET_STATISTICS resets on read, so the totals are kept here.
                            _kernelDrops += a.ReadKernelStatistics().Drops;
                            break;
                        case PcapPort c:
                            rx += c.RxFrames; truncated += c.RxTruncated; tx += c.TxFrames; txDropped += c.TxDropped;
                            break;
                    }
                }
                return new PortStatus(Device, Driver, Members[0].LinkUp, nic.Mtu, nic.Mac.ToString(), Members.Length, settings,
                    rx, _kernelDrops, truncated, tx, txDropped);
            }
        }

        public void Dispose()
        {
            foreach (var m in Members)
                m?.Dispose();
        }
    }
}
