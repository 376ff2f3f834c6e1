using System.Globalization;
using Bridge.Daemon.Events;
using Bridge.Daemon.Runtime;
using Bridge.Rules;
using Bridge.Rules.Inspection;
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
    private RuleSet? _rules;
    private AlertRing[] _alertRings = [];
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

    /// <summary>Each worker thread's scheduling as chrt names it ("SCHED_FIFO 10", "SCHED_OTHER").</summary>
    public IReadOnlyList<string> WorkerScheduling => Array.ConvertAll(_workers, static w => w.Scheduling);

    /// <summary>Each worker thread's CPUs as taskset lists them ("1", "0-1").</summary>
    public IReadOnlyList<string> WorkerCpus => Array.ConvertAll(_workers, static w => w.Cpus);

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
        // Rules that cannot be loaded leave the engine down, not the bridge: the configured
        // 'snort fail-open' / 'fail-close' decides what happens to the traffic it should inspect
        // (FTD's LINA keeps running when Snort fails), and 'snort reload' can bring it up.
        RuleSet? rules = null;
        try
        {
            rules = LoadRules(snap.Config);
        }
        catch (RulesLoadException e)
        {
            _log.LogError("Rules not loaded: {Reason}; the rules engine is down and snort {Policy} applies until a successful 'snort reload'",
                e.Message, snap.Config.SnortFailPolicy == SnortFailPolicy.FailOpen ? "fail-open (traffic passes uninspected)" : "fail-close (traffic to inspect is dropped, snort-down)");
        }
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
            all[w] = new Worker(w, ports, tx => new DataPath(snap, _macs, tx, index, workers, _options.FlowTableSize), _options.WorkerPriority,
                _options.WorkerCpus.Length == 0 ? -1 : _options.WorkerCpus[w % _options.WorkerCpus.Length]);
        }
        _rules = rules;
        RulesLoadedAt = rules is null ? null : DateTimeOffset.UtcNow;
        _alertRings = new AlertRing[workers];
        for (int w = 0; w < workers; w++)
        {
            _alertRings[w] = new AlertRing();
            all[w].DataPath.Inspector = CreateInspector(rules, snap.Config, w);
        }
        _devices = devices;
        _workers = all;
        _dataPaths = Array.ConvertAll(all, static w => w.DataPath);
        _lastHeartbeat = new long[workers];
        StartedAt = DateTimeOffset.UtcNow;
        foreach (var w in all)
            w.Start();
        _started = true;
        LogScheduling(all);
    }

    // Once, at start: a worker left time-shared is the first suspect when the rings overflow.
    private void LogScheduling(Worker[] workers)
    {
        if (!Task.WaitAll(Array.ConvertAll(workers, static w => w.Started), TimeSpan.FromSeconds(5)))
            return;
        foreach (var w in workers)
        {
            if (w.SchedulingError is { } error)
                _log.LogWarning("Worker {Index} runs {Scheduling} on CPUs {Cpus}: {Reason}. Expect ring drops and millisecond latency when other processes need the CPU; set Bridge:WorkerPriority=0 (and no Bridge:WorkerCpus) to silence this",
                    w.Index, w.Scheduling, w.Cpus, error);
        }
        _log.LogInformation("Workers scheduled {Scheduling}", string.Join(", ", Array.ConvertAll(workers, static w => $"{w.Index}: {w.Scheduling} on CPUs {w.Cpus}")));
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
        string scheduling = string.Join("/", Array.ConvertAll(_workers, static w => w.Scheduling).Distinct());
        return $"{string.Join(", ", parts)}; {_workers.Length} worker(s) {scheduling}, {driver}";
    }

    private NicInfo PrepareNic(RuntimeSnapshot snap, int port)
    {
        string device = snap.Devices[port];
        try
        {
            var nic = NicSetup.Prepare(device);
            // The device MTU is what the configured nameifs allow (FTD sets the interface MTU the same way).
            int wanted = DeviceSettings(snap, device).Mtu;
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

    private DevicePorts OpenDevice(RuntimeSnapshot snap, int port, NicInfo nic, int workers, int generation = 0)
    {
        string device = snap.Devices[port];
        var driver = DeviceSettings(snap, device).Driver;
        // Fanout ids are per network namespace; the process id keeps two daemons in one namespace
        // apart, the generation a re-opened device apart from its old, still-closing group.
        int group = (Environment.ProcessId * 64 + port * 8 + generation % 8) & 0xFFFF;
        try
        {
            if (driver == PortDriver.Pcap)
            {
                var members = PcapPort.OpenFanout(device, group, workers, _options.Pcap);
                string settings = string.Create(CultureInfo.InvariantCulture,
                    $"libpcap, buffer {_options.Pcap.BufferBytes >> 10} KiB, timeout {_options.Pcap.ReadTimeoutMs} ms, fanout hash group {group}");
                return new DevicePorts(device, "pcap", nic, members, settings) { Generation = generation };
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
                return new DevicePorts(device, "afpacket", nic, members, settings) { Generation = generation };
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

    /// <summary>
    /// Follows the devices: one that disappeared is reported (frames towards it count as
    /// interface-down); one that came back as a new device (a new ifindex: unplugged and plugged
    /// again, a VM NIC hot-added, a veth re-created) is prepared and opened again, and each worker
    /// swaps in its new member between two batches. Called about once a second by the host.
    /// </summary>
    public async Task CheckDevicesAsync(CancellationToken cancel = default)
    {
        if (!_started)
            return;
        var snap = Snapshot;
        for (int p = 0; p < _devices.Length; p++)
        {
            var d = _devices[p];
            NicInfo now;
            try
            {
                now = NicSetup.Query(d.Device);
            }
            catch (NicSetupException)
            {
                if (d.Present)
                {
                    d.Present = false;
                    _log.LogWarning("{Device} has disappeared; frames towards it are dropped (interface-down) until it is back", d.Device);
                }
                continue;
            }
            if (now.IfIndex == d.Nic.IfIndex)
                continue;
            DevicePorts fresh;
            try
            {
                var nic = PrepareNic(snap, p);
                fresh = OpenDevice(snap, p, nic, _workers.Length, d.Generation + 1);
            }
            catch (DataPlaneStartException e)
            {
                _log.LogError("{Device} is back but cannot be opened: {Reason}", d.Device, e.Message);
                continue;
            }
            for (int w = 0; w < _workers.Length; w++)
            {
                var worker = _workers[w];
                var member = fresh.Members[w];
                int port = p;
                await worker.Post(_ => worker.ReplacePort(port, member), cancel).ConfigureAwait(false);
            }
            foreach (var old in d.TakeOver(fresh))
                old.Dispose();
            _log.LogInformation("{Device} is back (ifindex {IfIndex}); ports opened again", d.Device, now.IfIndex);
        }
    }

    /// <summary>The ifindex worker <paramref name="worker"/>'s member of <paramref name="port"/> is bound to (tests; call on that worker).</summary>
    internal int WorkerPortIfIndex(int worker, int port) =>
        _workers[worker].Ports[port] is AfPacketPort a ? a.IfIndex : -1;

    /// <summary>Frame faults summed over workers, with the last exception, for the periodic log.</summary>
    public (long Faults, Exception? Last) FrameFaults()
    {
        long total = 0;
        Exception? last = null;
        foreach (var w in _workers)
        {
            total += w.FrameFaults + w.DataPath.StageFaults;
            last ??= w.DataPath.LastFault ?? w.LastFault;
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
        // A reload re-reads the rule files too: they may have changed even when bridge.conf did not.
        var applied = Apply(config, reloadRules: true);
        if (applied.Applied)
            _log.LogInformation("Reloaded {Path}: {Message}", ConfigPath, applied.Message);
        else
            _log.LogError("Reload refused: {Reason}", applied.Message);
        return applied;
    }

    public ReloadResult Apply(BridgeConfig config) => Apply(config, reloadRules: false);

    private ReloadResult Apply(BridgeConfig config, bool reloadRules)
    {
        var result = ApplyLocked(config, reloadRules);
        Interlocked.Increment(ref result.Applied ? ref _configsApplied : ref _configsRefused);
        return result;
    }

    private ReloadResult ApplyLocked(BridgeConfig config, bool reloadRules)
    {
        lock (_reloadLock)
        {
            var old = Snapshot;
            bool rulesChange = config.SnortRules.Count > 0 && reloadRules
                || !config.ToText("snort").Equals(old.Config.ToText("snort"), StringComparison.Ordinal);
            if (config.Equals(old.Config) && !rulesChange)
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
            var rules = _rules;
            if (rulesChange)
            {
                try
                {
                    rules = LoadRules(config);
                }
                catch (RulesLoadException e)
                {
                    return new ReloadResult(false, e.Message + "; the running configuration and rules are unchanged");
                }
            }
            // Learned MACs name interfaces by index: when the list of nameifs changes, relearn.
            if (!SameInterfaces(old, next))
                _macs.Clear();
            foreach (var dp in _dataPaths)
                dp.Swap(next);
            Volatile.Write(ref _snapshot, next);
            if (rulesChange)
                InstallRules(rules, config);
            string rulesText = rules is null ? "" : $", {rules.Report.Loaded} rule(s)";
            return new ReloadResult(true, $"{next.Interfaces.Count} interface(s), {next.Policy.AceCount} access-list element(s){rulesText}; established connections kept");
        }
    }

    /// <summary>
    /// A new engine per worker, installed between batches: flowbits, thresholds and hit counts
    /// restart with the new rule set, as on a Snort reload. The reload answers (and
    /// <c>show snort statistics</c> names the new set) only once every worker has it, so a packet
    /// sent after the answer is inspected by the new rules, not by the engine it replaced.
    /// </summary>
    private void InstallRules(RuleSet? rules, BridgeConfig config)
    {
        var installed = new Task[_workers.Length];
        for (int w = 0; w < _workers.Length; w++)
        {
            var inspector = CreateInspector(rules, config, w);
            installed[w] = _workers[w].Post(dp => dp.Inspector = inspector, CancellationToken.None);
        }
        // A live worker takes posted work within one idle poll; a wedged one must not hang the
        // control plane, and the watchdog reports it.
        if (!Task.WaitAll(installed, InstallTimeout))
            _log.LogWarning("Rules installed on some workers only after {Timeout}: a worker is not taking work", InstallTimeout);
        _rules = rules;
        RulesLoadedAt = rules is null ? null : DateTimeOffset.UtcNow;
    }

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(5);

    public ReloadResult ReloadRules()
    {
        lock (_reloadLock)
        {
            var config = Snapshot.Config;
            if (config.SnortRules.Count == 0)
                return new ReloadResult(false, "no rules to reload: the configuration has no 'snort rules PATH' line");
            RuleSet? rules;
            try
            {
                rules = LoadRules(config);
            }
            catch (RulesLoadException e)
            {
                Interlocked.Increment(ref _rulesReloadsRefused);
                _log.LogError("Rules reload refused: {Reason}", e.Message);
                return new ReloadResult(false, e.Message + "; the running rules are unchanged");
            }
            InstallRules(rules, config);
            Interlocked.Increment(ref _rulesReloadsApplied);
            return new ReloadResult(true, rules!.Report.Summary());
        }
    }

    /// <summary>The loaded rule set (null when no <c>snort rules</c> line is configured).</summary>
    public RuleSet? Rules => _rules;

    public DateTimeOffset? RulesLoadedAt { get; private set; }

    private long _rulesReloadsApplied, _rulesReloadsRefused;

    /// <summary><c>snort reload</c> outcomes since start.</summary>
    public (long Applied, long Refused) RulesReloads => (Interlocked.Read(ref _rulesReloadsApplied), Interlocked.Read(ref _rulesReloadsRefused));

    /// <summary>Per worker, the alerts its rules engine raised, waiting for the event pump.</summary>
    public IReadOnlyList<AlertRing> AlertRings => _alertRings;

    /// <summary>Each worker's receive-batch histograms, in worker order.</summary>
    public IReadOnlyList<Metrics.BatchHistogram> BatchHistograms => Array.ConvertAll(_workers, static w => w.Batches);

    public IExternalInspector? CreateSandboxInspector(int flowCapacity) =>
        _rules?.CreateInspector(flowCapacity, alerts: null,
            Snapshot.Config.SnortMode == SnortMode.InlineTap ? InspectorMode.InlineTap : InspectorMode.Inline);

    private IExternalInspector? CreateInspector(RuleSet? rules, BridgeConfig config, int worker) =>
        rules?.CreateInspector(_options.FlowTableSize, _alertRings[worker],
            config.SnortMode == SnortMode.InlineTap ? InspectorMode.InlineTap : InspectorMode.Inline);

    /// <summary>Loads the <c>snort rules</c> files and folders (relative paths: beside the config file).</summary>
    private RuleSet? LoadRules(BridgeConfig config)
    {
        if (config.SnortRules.Count == 0)
            return null;
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(ConfigPath)) ?? ".";
        var paths = new List<string>();
        foreach (var p in config.SnortRules)
        {
            string full = Path.IsPathRooted(p) ? p : Path.Combine(baseDir, p);
            if (!File.Exists(full) && !Directory.Exists(full))
                throw new RulesLoadException($"snort rules {p}: no such file or folder ({full})");
            paths.Add(full);
        }
        RuleSet set;
        try
        {
            set = RuleSet.Load(paths);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RulesLoadException($"snort rules: {e.Message}");
        }
        // A rule the engine does not support is skipped and counted (community rule sets use
        // features Bridge lacks); a rule that is not even well-formed is an edit gone wrong, and
        // loading the rest would silently drop a rule the operator meant to have.
        foreach (var r in set.Report.Rejections)
        {
            if (MalformedRule.Contains(r.Reason))
                throw new RulesLoadException($"{r.File}:{r.Line}: {r.Reason}{(r.Detail is null ? "" : $" ({r.Detail})")}");
        }
        _log.LogInformation("Rules: {Summary}", set.Report.Summary().TrimEnd());
        return set;
    }

    /// <summary>
    /// Rejection reasons of the rule parser that mean a rule is not even shaped like one, not a
    /// missing feature. "unterminated quote" is left out on purpose: one ET Open 2017 rule that
    /// Snort accepts meets it, and a whole published rule set must keep loading.
    /// </summary>
    private static readonly HashSet<string> MalformedRule = new(StringComparer.Ordinal)
    {
        "bad rule header", "rule without option list", "bad direction", "missing sid",
    };

    private sealed class RulesLoadException(string message) : Exception(message);

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

    /// <summary>What the nameifs on <paramref name="device"/> ask of it: one driver (the parser enforces that) and the largest MTU.</summary>
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
        public IFramePort[] Members { get; private set; } = members;
        public NicInfo Nic { get; private set; } = nic;
        public int Generation { get; set; }
        public bool Present { get; set; } = true;
        public int Rebinds { get; private set; }

        /// <summary>Takes over the members of a re-opened device; returns the old ones to close.</summary>
        public IFramePort[] TakeOver(DevicePorts fresh)
        {
            lock (_statsLock)
            {
                var old = Members;
                Members = fresh.Members;
                Nic = fresh.Nic;
                Generation = fresh.Generation;
                Present = true;
                Rebinds++;
                return old;
            }
        }

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
                            if (Present)
                                _kernelDrops += a.ReadKernelStatistics().Drops;
                            break;
                        case PcapPort c:
                            rx += c.RxFrames; truncated += c.RxTruncated; tx += c.TxFrames; txDropped += c.TxDropped;
                            break;
                    }
                }
                return new PortStatus(Device, Driver, Present && Members[0].LinkUp, Nic.Mtu, Nic.Mac.ToString(), Members.Length, settings,
                    rx, _kernelDrops, truncated, tx, txDropped, Present, Rebinds);
            }
        }

        public void Dispose()
        {
            foreach (var m in Members)
                m?.Dispose();
        }
    }
}
