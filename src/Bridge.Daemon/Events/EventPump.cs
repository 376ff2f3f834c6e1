using System.Collections.Concurrent;
using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Events;
using Bridge.Rules.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Events;

/// <summary>
/// Drains the workers' connection-event and rule-alert rings every 100 ms and writes the events as ASA-style
/// syslog lines to the log (the journal under systemd). Each message id is rate-limited per
/// second, as ASA's <c>logging rate-limit</c> does, and what was held back is said once a second,
/// so a scan or a flood cannot drown the journal. Rule alerts also go, every one of them, to
/// Snort's files <c>alert_fast.txt</c> and <c>alert_json.txt</c> (rotated by size) in the alert
/// directory. Workers never wait for this.
/// Under systemd the lines go to the journal with its native protocol and structured fields
/// (<see cref="JournalWriter"/>) instead of through the log. The config's <c>logging</c> lines add
/// remote syslog servers (<see cref="SyslogForwarder"/>, RFC 5424, rate-limited like the log and
/// filtered by <c>logging trap</c>) and <c>events.json</c> (<see cref="JsonEventFile"/>, every event).
/// </summary>
public sealed class EventPump(IBridgeRuntime runtime, ILoggerFactory loggers, EventPumpOptions options) : BackgroundService
{
    private readonly RotatingFile? _fast = options.AlertDirectory is { } dir && options.AlertFast
        ? new RotatingFile(Path.Combine(dir, "alert_fast.txt"), options.AlertFileMaxBytes, options.AlertFilesKept) : null;
    private readonly RotatingFile? _json = options.AlertDirectory is { } dir2 && options.AlertJson
        ? new RotatingFile(Path.Combine(dir2, "alert_json.txt"), options.AlertFileMaxBytes, options.AlertFilesKept) : null;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly JournalWriter? _journal = options.Journal ? JournalWriter.Detect(options.JournalSocket) : null;
    private readonly SyslogForwarder _syslog = new(loggers.CreateLogger("Bridge.Syslog"));
    private JsonEventFile? _eventFile;
    private LoggingSettings? _logging;
    private string _hostname = BridgeConfig.DefaultHostname;
    private bool _journalFailed;

    private readonly ILogger _events = loggers.CreateLogger("Bridge.Events");
    private readonly ILogger _alerts = loggers.CreateLogger("Bridge.Alerts");
    private readonly ConcurrentDictionary<int, long> _logged = new();
    private readonly Dictionary<int, int> _thisSecond = new();
    private readonly Dictionary<int, int> _held = new();
    private long _second;
    private long _suppressed;

    /// <summary>Lines written, by ASA message id.</summary>
    public IReadOnlyDictionary<int, long> Logged => _logged;

    /// <summary>Events held back by the rate limit.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>Events the workers could not queue because the pump fell behind.</summary>
    public long Lost
    {
        get
        {
            long lost = 0;
            foreach (var w in runtime.Workers) lost += w.Events.Lost;
            return lost;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                Drain();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Teardowns written while the workers drained on SIGTERM still reach the log.
        Drain();
        _fast?.Dispose();
        _json?.Dispose();
        _eventFile?.Dispose();
        _journal?.Dispose();
        // The syslog senders get a moment for what is queued, no more: a dead server must not hold up the stop.
        await _syslog.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The journal writer in use (null when not under systemd or turned off).</summary>
    public JournalWriter? Journal => _journal;

    /// <summary>Remote syslog: servers, messages sent and dropped.</summary>
    public SyslogForwarder Syslog => _syslog;

    /// <summary>Lines written to events.json since start (0 while <c>logging file json</c> is off).</summary>
    public long EventFileLines => _eventFileLines + (_eventFile?.Lines ?? 0);
    private long _eventFileLines;

    /// <summary>Follows the config's logging lines: syslog servers, the events.json file.</summary>
    private void FollowLogging(BridgeConfig config)
    {
        _hostname = config.Hostname;
        var logging = config.Logging;
        if (ReferenceEquals(logging, _logging)) return;
        _logging = logging;
        _syslog.Configure(logging.Enabled && logging.TrapLevel is not null ? logging.Hosts : []);
        long? wanted = logging.Enabled && logging.JsonFileKBytes is { } kb ? kb * 1024 : null;
        if (_eventFile is not null && _eventFile.MaxBytes != wanted)
        {
            _eventFileLines += _eventFile.Lines;
            _eventFile.Dispose();
            _eventFile = null;
        }
        string? dir = options.EventFileDirectory ?? options.AlertDirectory;
        if (_eventFile is null && wanted is { } max && dir is not null)
            _eventFile = new JsonEventFile(Path.Combine(dir, JsonEventFile.FileName), max, options.AlertFilesKept);
    }

    /// <summary>Writes every queued event (rate limit permitting); returns how many were read.</summary>
    public int Drain()
    {
        var snap = runtime.Snapshot;
        FollowLogging(snap.Config);
        int read = 0;
        foreach (var worker in runtime.Workers)
        {
            while (worker.Events.TryRead(out var e))
            {
                read++;
                int id = AsaSyslog.MessageId(e);
                if (id == 0) continue;
                // The rate limit is decided before the line is made: under connection churn tens of
                // thousands of events a second are held back, and formatting them anyway made the
                // garbage whose collections stop the workers.
                bool log = options.Enabled && Admit(id);
                if (!log && _eventFile is null) continue;
                string? line = AsaSyslog.Format(e, snap);
                if (line is null) continue;
                var ev = BridgeEvent.From(e, snap, id, line);
                WriteEventFile(ev);
                if (!log) continue;
                _logged.AddOrUpdate(id, 1, static (_, n) => n + 1);
                Emit(ev, _events);
            }
        }
        if (runtime is Forwarding.DataPlane plane)
        {
            foreach (var ring in plane.AlertRings)
            {
                while (ring.TryRead(out var alert))
                {
                    read++;
                    WriteAlertFiles(in alert);
                    var ev = BridgeEvent.From(alert, AlertFormat.Fast(alert));
                    WriteEventFile(ev);
                    // FTD's id for intrusion events; limited like the others so a noisy rule cannot drown the journal.
                    if (!options.Enabled || !Admit(IntrusionEvent)) continue;
                    _logged.AddOrUpdate(IntrusionEvent, 1, static (_, n) => n + 1);
                    Emit(ev, _alerts);
                }
            }
        }
        _fast?.Flush();
        _json?.Flush();
        FlushEventFile();
        return read;
    }

    /// <summary>One admitted event to its outputs: remote syslog (trap level permitting), then the journal, else the log.</summary>
    private void Emit(BridgeEvent ev, ILogger log)
    {
        if (_logging is { } logging && logging.SendsToHosts(ev.Severity))
            _syslog.Publish(Rfc5424.Format(ev, _hostname));
        if (_journal is not null && !_journalFailed)
        {
            if (_journal.TryWrite(ev)) return;
            // Say it once and use the log from now on: it reaches the journal too, only without the fields.
            _journalFailed = true;
            log.LogWarning("cannot write to the journal socket {Socket}; events go to the log instead", _journal.SocketPath);
        }
        if (ev.Severity <= 4)
            log.LogWarning("{Line}", ev.Text);
        else
            log.LogInformation("{Line}", ev.Text);
    }

    private void WriteEventFile(BridgeEvent ev)
    {
        if (_eventFile is null) return;
        try
        {
            _eventFile.Write(ev);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FileError(_eventFile.Path, e);
        }
    }

    private void FlushEventFile()
    {
        try
        {
            _eventFile?.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FileError(_eventFile!.Path, e);
        }
    }

    private void FileError(string path, Exception e)
    {
        long now = Environment.TickCount64;
        if (now - _lastFileError < 60_000 && _lastFileError != 0) return;
        _lastFileError = now;
        _events.LogError("cannot write {Path}: {Error}", path, e.Message);
    }

    private void WriteAlertFiles(in AlertEvent alert)
    {
        try
        {
            _fast?.WriteLine(AlertFormat.Fast(alert));
            _json?.WriteLine(AlertFormat.Json(alert));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk must not stop the journal lines; say it once a minute at most.
            long now = Environment.TickCount64;
            if (now - _lastFileError < 60_000 && _lastFileError != 0) return;
            _lastFileError = now;
            _alerts.LogError("cannot write the alert files in {Dir}: {Error}", options.AlertDirectory, e.Message);
        }
    }

    private long _lastFileError;

    /// <summary>Alert lines written to alert_fast.txt since start (0 when that file is off).</summary>
    public long AlertFileLines => _fast?.Lines ?? _json?.Lines ?? 0;

    /// <summary>The message id counted for rule alerts (FTD logs intrusion events as 430001).</summary>
    public const int IntrusionEvent = 430001;

    private bool Admit(int id)
    {
        long second = Environment.TickCount64 / 1000;
        if (second != _second)
        {
            foreach (var (held, count) in _held)
                _events.LogWarning("%BRIDGE-4-733100: {Count} message(s) {Id} held back by the rate limit of {Limit} per second", count, held, options.RateLimitPerSecond);
            _held.Clear();
            _thisSecond.Clear();
            _second = second;
        }
        _thisSecond.TryGetValue(id, out int n);
        if (n >= options.RateLimitPerSecond)
        {
            _held[id] = _held.GetValueOrDefault(id) + 1;
            Interlocked.Increment(ref _suppressed);
            return false;
        }
        _thisSecond[id] = n + 1;
        return true;
    }
}

/// <summary>Host-level settings of connection events (<c>Bridge:Events</c>).</summary>
public sealed record EventPumpOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Lines per message id per second; ASA's default rate limits are of this order.</summary>
    public int RateLimitPerSecond { get; init; } = 100;

    /// <summary>Where alert_fast.txt and alert_json.txt go (<c>Bridge:Events:AlertDirectory</c>, default: the state directory); null: no files.</summary>
    public string? AlertDirectory { get; init; }

    public bool AlertFast { get; init; } = true;

    public bool AlertJson { get; init; } = true;

    /// <summary>Size at which an alert file rotates.</summary>
    public long AlertFileMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Rotated files kept (NAME.1 … NAME.N), for the alert files and events.json.</summary>
    public int AlertFilesKept { get; init; } = 5;

    /// <summary>Where <c>logging file json</c> writes events.json (<c>Bridge:Events:EventFileDirectory</c>, default: <see cref="AlertDirectory"/>).</summary>
    public string? EventFileDirectory { get; init; }

    /// <summary>Write to the journal with its native protocol when running under systemd (<c>Bridge:Events:Journal</c>).</summary>
    public bool Journal { get; init; } = true;

    /// <summary>The journal socket; null: journald's own, used when JOURNAL_STREAM is set or the socket exists; "off": never.</summary>
    public string? JournalSocket { get; init; }
}
