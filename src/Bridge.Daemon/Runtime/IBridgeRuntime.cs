using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Runtime;

/// <summary>
/// What the control plane (admin commands, web pages, metrics) sees of the running bridge. The data
/// plane implements it; command code reads workers' counters and tables through it and changes
/// state only through its methods, never by touching a worker directly.
/// </summary>
public interface IBridgeRuntime
{
    /// <summary>The configuration the workers run with now.</summary>
    RuntimeSnapshot Snapshot { get; }

    /// <summary>One data path per worker, in worker order; counters are summed over them at read time.</summary>
    IReadOnlyList<DataPath> Workers { get; }

    /// <summary>The clock the data path stamps flows and MAC entries with (Unix time in nanoseconds).</summary>
    long NowNs();

    /// <summary>When the data plane started (show version uptime).</summary>
    DateTimeOffset StartedAt { get; }

    /// <summary>The file the running configuration was read from and <c>write memory</c> writes to.</summary>
    string ConfigPath { get; }

    /// <summary>Physical ports with their driver state, in port order (<see cref="RuntimeSnapshot.Devices"/>).</summary>
    IReadOnlyList<PortStatus> Ports { get; }

    /// <summary>
    /// Runs <paramref name="action"/> on every worker's own thread between two receive batches and
    /// completes when all have run it. Anything that changes or must read a worker's flow table
    /// consistently (clear conn, a flow snapshot) goes through here: the tables have no locks.
    /// </summary>
    Task RunOnWorkers(Action<DataPath> action, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="action"/> on worker <paramref name="worker"/>'s thread between batches
    /// and returns its result: a dry run (packet-tracer) uses that worker's scratch flow, so it must
    /// never run beside the worker.
    /// </summary>
    Task<T> RunOnWorker<T>(int worker, Func<DataPath, T> action, CancellationToken cancellationToken = default);

    /// <summary>
    /// A rules engine of its own for a sandboxed pipeline (pcap tracing): same rule set as the
    /// workers, its own flow state, no alerts to the log. Null when no rules are loaded.
    /// </summary>
    IExternalInspector? CreateSandboxInspector(int flowCapacity) => null;

    /// <summary>The rule set the workers' SNORT stage runs (null when no <c>snort rules</c> line is configured).</summary>
    Bridge.Rules.RuleSet? Rules => null;

    /// <summary>When <see cref="Rules"/> was loaded.</summary>
    DateTimeOffset? RulesLoadedAt => null;

    /// <summary>
    /// Re-reads the configured rule files and gives every worker a new engine (<c>snort reload</c>);
    /// the message is the load summary. A missing file changes nothing.
    /// </summary>
    ReloadResult ReloadRules() => new(false, "this runtime has no rules engine");

    /// <summary>Re-reads <see cref="ConfigPath"/> and installs it (SIGHUP does the same). A bad file changes nothing.</summary>
    ReloadResult Reload();

    /// <summary>Installs <paramref name="config"/> atomically on every worker; flows survive. Refused when it needs a restart (see the message).</summary>
    ReloadResult Apply(BridgeConfig config);
}

/// <summary>Outcome of a reload or apply: whether the new config runs now, and what to tell the operator.</summary>
public readonly record struct ReloadResult(bool Applied, string Message);

/// <summary>
/// State of one physical port, summed over its fanout members: driver, link, size and traffic
/// counters as the driver sees them (before the pipeline). <c>Present</c> is false while the
/// device does not exist (unplugged, deleted); <c>Rebinds</c> counts how often it came back as a
/// new device and the ports were opened again.
/// </summary>
public sealed record PortStatus(
    string Device,
    string Driver,
    bool LinkUp,
    int Mtu,
    string Mac,
    int Members,
    string Settings,
    long RxFrames,
    long RxKernelDrops,
    long RxTruncated,
    long TxFrames,
    long TxDropped,
    bool Present = true,
    int Rebinds = 0);
