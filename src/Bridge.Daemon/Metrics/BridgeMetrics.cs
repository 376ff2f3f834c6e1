using System.Reflection;
using System.Text;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Events;
using Bridge.Daemon.Export;
using Bridge.Daemon.Forwarding;
using Bridge.Daemon.Runtime;
using Bridge.Packets;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;
using Prometheus;

namespace Bridge.Daemon.Metrics;

/// <summary>
/// The Prometheus families of the bridge. Nothing here runs per packet: at scrape time the values
/// are read from the workers' own counter arrays and tables and copied into prometheus-net
/// metrics. Sources that <c>clear</c> commands zero are turned into monotonic counters
/// (<see cref="Totals"/>), so Prometheus never sees a counter go backwards.
/// </summary>
public sealed class BridgeMetrics
{
    private readonly IBridgeRuntime _runtime;
    private readonly Totals _totals = new();
    // Two scrapes at once would interleave the monotonic bookkeeping.
    private readonly SemaphoreSlim _updating = new(1, 1);

    private readonly Counter _ifPackets;
    private readonly Counter _ifBytes;
    private readonly Counter _ifDrops;
    private readonly Gauge _ifLinkUp;
    private readonly Counter _portFrames;
    private readonly Counter _portRingDrops;
    private readonly Counter _portTruncated;
    private readonly Counter _portTxRefused;
    private readonly Counter _portRebinds;
    private readonly Gauge _portPresent;
    private readonly Counter _aspDrops;
    private readonly Counter _stageCounters;
    private readonly Gauge _connsActive;
    private readonly Counter _connsCreated;
    private readonly Gauge _flowSlots;
    private readonly Gauge _connsEmbryonic;
    private readonly Gauge _macEntries;
    private readonly Counter _frameFaults;
    private readonly Counter _configChanges;
    private readonly Gauge _workers;
    private readonly Counter _gcPause;
    private readonly Gauge _startTime;

    private readonly EventPump? _events;
    private readonly Counter _eventLines;
    private readonly Counter _eventsSuppressed;
    private readonly Counter _eventsLost;
    private readonly Counter _syslogSent;
    private readonly Counter _syslogDropped;
    private readonly Counter _journalEntries;
    private readonly Counter _eventFileLines;
    private readonly Gauge _rules;
    private readonly Counter _snortAlerts;
    private readonly Counter _snortFailOpen;
    private readonly Counter _snortFailClose;
    private readonly Counter _ruleMatches;
    private readonly Gauge _rulesRejected;
    private readonly Counter _rulesReloads;
    private readonly Counter _exports;
    private readonly Counter _exportBytes;
    private readonly HashSet<string> _labelledRules = new(StringComparer.Ordinal);
    private readonly Counter _httpLogins;
    private readonly Counter _httpDownloads;
    private readonly Counter _httpDownloadBytes;
    private readonly Counter _httpRefused;
    private readonly Gauge _capturePackets;
    private readonly Gauge _captureBytes;
    private readonly Counter _captureCaptured;
    private readonly Gauge _captureState;
    private readonly HashSet<string> _labelledCaptures = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<BatchHistogram>? _batches;

    /// <param name="batches">Receive-batch histograms of the workers; null: the data plane's own (none for other runtimes).</param>
    public BridgeMetrics(IBridgeRuntime runtime, EventPump? events = null, IReadOnlyList<BatchHistogram>? batches = null)
    {
        _runtime = runtime;
        _events = events;
        _batches = batches;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        // The process's own figures (resident memory, managed heap, collections, threads), under
        // their usual names, so a soak or a dashboard sees a leak next to the traffic.
        Prometheus.DotNetStats.Register(Registry);
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        string version = typeof(BridgeMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        f.CreateGauge("bridge_build_info", "Bridge build; the value is always 1.", "version").WithLabels(version.Split('+')[0]).Set(1);
        _startTime = f.CreateGauge("bridge_start_time_seconds", "When the data plane started, in Unix seconds.");
        _workers = f.CreateGauge("bridge_workers", "Data-plane worker threads.");
        // A collection stops every managed thread, the workers too: while it lasts the rings fill.
        _gcPause = f.CreateCounter("bridge_gc_pause_seconds_total", "Time the .NET runtime held all threads, data-plane workers included, for garbage collection.");
        _ifPackets = f.CreateCounter("bridge_interface_packets_total", "Packets per nameif and direction, as the pipeline counted them.", "interface", "direction");
        _ifBytes = f.CreateCounter("bridge_interface_bytes_total", "Bytes per nameif and direction (L2 frame, tags included).", "interface", "direction");
        _ifDrops = f.CreateCounter("bridge_interface_drops_total", "Packets received on a nameif and dropped by the pipeline.", "interface");
        _ifLinkUp = f.CreateGauge("bridge_interface_link_up", "1 when the nameif's physical link has carrier.", "interface");
        _portFrames = f.CreateCounter("bridge_port_frames_total", "Frames the port driver received or sent, before and after the pipeline.", "device", "direction");
        _portRingDrops = f.CreateCounter("bridge_port_ring_drops_total", "Frames the kernel dropped because the receive ring was full (PACKET_STATISTICS).", "device");
        _portTruncated = f.CreateCounter("bridge_port_truncated_total", "Frames longer than the ring slot, never forwarded.", "device");
        _portTxRefused = f.CreateCounter("bridge_port_tx_refused_total", "Frames the kernel refused to send (queue full, link down, too big).", "device");
        _portRebinds = f.CreateCounter("bridge_port_rebinds_total", "Times the device came back as a new device and its ports were opened again.", "device");
        _portPresent = f.CreateGauge("bridge_port_present", "1 while the device exists (0: unplugged or deleted; frames towards it count as interface-down).", "device");
        _aspDrops = f.CreateCounter("bridge_asp_drops_total", "Accelerated-security-path drops by FTD reason keyword (show asp drop).", "section", "reason");
        _stageCounters = f.CreateCounter("bridge_stage_events_total", "Counters declared by the pipeline stages.", "stage", "counter");
        _connsActive = f.CreateGauge("bridge_connections_active", "Connections in the flow tables by protocol.", "protocol");
        _connsCreated = f.CreateCounter("bridge_connections_created_total", "Connections created.");
        _connsEmbryonic = f.CreateGauge("bridge_connections_embryonic", "TCP connections whose three-way handshake has not finished (held to embryonic-conn-max).");
        _flowSlots = f.CreateGauge("bridge_flow_table_slots", "Flow-table slots in use and in total, over all workers.", "state");
        _macEntries = f.CreateGauge("bridge_mac_table_entries", "Learned MAC addresses that have not aged out.");
        _frameFaults = f.CreateCounter("bridge_worker_frame_faults_total", "Frames lost to an exception in the pipeline (the worker went on).");
        _configChanges = f.CreateCounter("bridge_config_changes_total", "Configuration reloads and changes by result.", "result");
        _eventLines = f.CreateCounter("bridge_events_total", "Connection and deny events logged, by ASA message id.", "message_id");
        _eventsSuppressed = f.CreateCounter("bridge_events_suppressed_total", "Events held back by the per-message rate limit.");
        _eventsLost = f.CreateCounter("bridge_events_lost_total", "Events the workers could not queue because the log pump fell behind.");
        _syslogSent = f.CreateCounter("bridge_syslog_messages_total", "RFC 5424 messages sent to the logging host servers.");
        _syslogDropped = f.CreateCounter("bridge_syslog_dropped_total", "Syslog messages dropped: a server's queue was full or its TCP connection broke.");
        _journalEntries = f.CreateCounter("bridge_journal_entries_total", "Events written to the journal with its native protocol (0 when not under systemd).");
        _eventFileLines = f.CreateCounter("bridge_event_file_lines_total", "Events written to events.json (logging file json).");
        _rules = f.CreateGauge("bridge_snort_rules", "Rules of the loaded rule set, loaded and rejected.", "state");
        _snortFailOpen = f.CreateCounter("bridge_snort_fail_open_total", "Packets snort fail-open passed without inspection, by cause: down (no rule set, engine fault) or busy (receive backlog).", "cause");
        _snortFailClose = f.CreateCounter("bridge_snort_fail_close_total", "Packets snort fail-close dropped, by cause: down (snort-down) or busy (snort-busy-not-fail-open).", "cause");
        _snortAlerts = f.CreateCounter("bridge_snort_alerts_total", "Rule events raised by the rules engine (alerts and blocking rules).");
        _ruleMatches = f.CreateCounter("bridge_snort_rule_matches_total", $"Packets each rule matched, by gid:sid:rev; the first {RuleLabels} rules to match get a label of their own, the rest count as 'other'.", "rule");
        _rulesRejected = f.CreateGauge("bridge_snort_rules_rejected", "Rules of the loaded rule set rejected at load, by reason.", "reason");
        _rulesReloads = f.CreateCounter("bridge_snort_rule_reloads_total", "snort reload results: applied, refused (the old rule set kept running).", "result");
        _exports = f.CreateCounter("bridge_capture_exports_total", "Captures copied out with 'copy', by scheme (tftp, ftp, scp, disk) and result.", "scheme", "result");
        _exportBytes = f.CreateCounter("bridge_capture_export_bytes_total", "Bytes of captures copied out with 'copy', by scheme.", "scheme");
        _httpLogins = f.CreateCounter("bridge_http_logins_total", "HTTPS server logins by result: ok, failed, locked-out (refused while the source is locked out).", "result");
        _httpDownloads = f.CreateCounter("bridge_http_downloads_total", "Captures downloaded over HTTPS, by format (pcap, text).", "format");
        _httpDownloadBytes = f.CreateCounter("bridge_http_download_bytes_total", "Bytes of capture downloads sent over HTTPS.");
        _httpRefused = f.CreateCounter("bridge_http_refused_connections_total", "HTTPS connections closed before TLS because no 'http' line admits their source.");
        _capturePackets = f.CreateGauge("bridge_capture_packets", $"Packets a capture holds now, summed over the workers' rings (the first {CaptureLabels} captures of show capture).", "capture");
        _captureBytes = f.CreateGauge("bridge_capture_bytes", "Frame bytes a capture holds now, summed over the workers' rings.", "capture");
        _captureCaptured = f.CreateCounter("bridge_capture_packets_captured_total", "Packets a capture has stored since its buffer was created, including those a circular buffer overwrote or clear capture removed.", "capture");
        _captureState = f.CreateGauge("bridge_capture_state", "1 for the capture's state (capturing, stopped, buffer-full), 0 for the others.", "capture", "state");
        Registry.AddBeforeCollectCallback(UpdateAsync);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Answers a scrape: the text exposition format, collected now.</summary>
    public async Task ExportAsync(Microsoft.AspNetCore.Http.HttpContext http)
    {
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await ExportTextAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Every family in the text format: the registry's, then the worker batch histograms, which
    /// are written here from the workers' own bucket arrays (a prometheus-net histogram can only
    /// be observed, not set from counts kept elsewhere).
    /// </summary>
    public async Task ExportTextAsync(Stream output, CancellationToken cancel)
    {
        await Registry.CollectAndExportAsTextAsync(output, cancel).ConfigureAwait(false);
        var batches = _batches ?? (_runtime as DataPlane)?.BatchHistograms ?? [];
        if (batches.Count == 0) return;
        var text = new StringBuilder();
        BatchHistogram.WriteText(text, batches);
        await output.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancel).ConfigureAwait(false);
    }

    /// <summary>The whole exposition as a string (tests, <c>show</c>-versus-scrape checks).</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancel = default)
    {
        using var buffer = new MemoryStream();
        await ExportTextAsync(buffer, cancel).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Captures with series of their own (cardinality bound; FTD itself allows only a few captures).</summary>
    public const int CaptureLabels = 64;

    /// <summary>Rules with a series of their own in bridge_snort_rule_matches_total (cardinality bound).</summary>
    public const int RuleLabels = 50;

    /// <summary>Counts one HTTPS login: <c>ok</c>, <c>failed</c> or <c>locked-out</c>.</summary>
    public void HttpLogin(string result) => _httpLogins.WithLabels(result).Inc();

    /// <summary>Counts one capture download over HTTPS and its size.</summary>
    public void HttpDownload(string format, long bytes)
    {
        _httpDownloads.WithLabels(format).Inc();
        _httpDownloadBytes.Inc(bytes);
    }

    public void HttpRefusedConnection() => _httpRefused.Inc();

    private async Task UpdateAsync(CancellationToken cancel)
    {
        await _updating.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await UpdateLockedAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            _updating.Release();
        }
    }

    private async Task UpdateLockedAsync(CancellationToken cancel)
    {
        var snap = _runtime.Snapshot;
        var workers = _runtime.Workers;
        _workers.Set(workers.Count);
        _gcPause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
        _startTime.Set(_runtime.StartedAt.ToUnixTimeMilliseconds() / 1000.0);
        long now = _runtime.NowNs();

        foreach (var li in snap.Interfaces)
        {
            long pin = 0, pout = 0, bin = 0, bout = 0, drop = 0;
            foreach (var w in workers)
            {
                var c = w.Interfaces[li.Index];
                pin += c.PacketsIn; pout += c.PacketsOut; bin += c.BytesIn; bout += c.BytesOut; drop += c.Dropped;
            }
            _totals.Set(_ifPackets.WithLabels(li.NameIf, "in"), pin);
            _totals.Set(_ifPackets.WithLabels(li.NameIf, "out"), pout);
            _totals.Set(_ifBytes.WithLabels(li.NameIf, "in"), bin);
            _totals.Set(_ifBytes.WithLabels(li.NameIf, "out"), bout);
            _totals.Set(_ifDrops.WithLabels(li.NameIf), drop);
        }
        var ports = _runtime.Ports;
        foreach (var port in ports)
        {
            _totals.Set(_portFrames.WithLabels(port.Device, "rx"), port.RxFrames);
            _totals.Set(_portFrames.WithLabels(port.Device, "tx"), port.TxFrames);
            _totals.Set(_portRingDrops.WithLabels(port.Device), port.RxKernelDrops);
            _totals.Set(_portTruncated.WithLabels(port.Device), port.RxTruncated);
            _totals.Set(_portTxRefused.WithLabels(port.Device), port.TxDropped);
            _totals.Set(_portRebinds.WithLabels(port.Device), port.Rebinds);
            _portPresent.WithLabels(port.Device).Set(port.Present ? 1 : 0);
        }
        foreach (var li in snap.Interfaces)
        {
            bool up = li.PhysPort < ports.Count && ports[li.PhysPort].LinkUp;
            _ifLinkUp.WithLabels(li.NameIf).Set(up ? 1 : 0);
        }

        CollectDrops(workers, DropSection.Frame, "frame");
        CollectDrops(workers, DropSection.Flow, "flow");

        foreach (var def in CounterRegistry.All)
        {
            long sum = 0;
            foreach (var w in workers) sum += Volatile.Read(ref w.Counters[def.Index]);
            _totals.Set(_stageCounters.WithLabels(def.Group, def.Name), sum);
        }

        // Flow tables belong to their workers: count on the workers' own threads.
        long tcp = 0, udp = 0, icmp = 0, other = 0, used = 0, capacity = 0, created = 0, embryonic = 0;
        await _runtime.RunOnWorkers(dp =>
        {
            long t = 0, u = 0, i = 0, o = 0;
            var flows = dp.Flows;
            for (int slot = 0; slot < flows.Capacity; slot++)
            {
                ref var flow = ref flows[slot];
                if (!flow.InUse) continue;
                switch (flow.Key.Protocol)
                {
                    case 6: t++; break;
                    case 17: u++; break;
                    case 1 or 58: i++; break;
                    default: o++; break;
                }
            }
            Interlocked.Add(ref tcp, t);
            Interlocked.Add(ref udp, u);
            Interlocked.Add(ref icmp, i);
            Interlocked.Add(ref other, o);
            Interlocked.Add(ref used, flows.Count);
            Interlocked.Add(ref capacity, flows.Capacity);
            Interlocked.Add(ref created, flows.Created);
            Interlocked.Add(ref embryonic, flows.Embryonic);
        }, cancel).ConfigureAwait(false);
        _connsActive.WithLabels("tcp").Set(tcp);
        _connsActive.WithLabels("udp").Set(udp);
        _connsActive.WithLabels("icmp").Set(icmp);
        _connsActive.WithLabels("other").Set(other);
        _flowSlots.WithLabels("used").Set(used);
        _flowSlots.WithLabels("total").Set(capacity);
        _connsEmbryonic.Set(embryonic);
        _totals.Set(_connsCreated, created);

        if (workers.Count > 0)
            _macEntries.Set(workers[0].Macs.Snapshot(now).Count);

        await CollectCapturesAsync(cancel).ConfigureAwait(false);

        if (_events is not null)
        {
            foreach (var (id, n) in _events.Logged)
                _totals.Set(_eventLines.WithLabels(id.ToString(System.Globalization.CultureInfo.InvariantCulture)), n);
            _totals.Set(_eventsSuppressed, _events.Suppressed);
            _totals.Set(_eventsLost, _events.Lost);
            _totals.Set(_syslogSent, _events.Syslog.Sent);
            _totals.Set(_syslogDropped, _events.Syslog.Dropped);
            _totals.Set(_journalEntries, _events.Journal?.Written ?? 0);
            _totals.Set(_eventFileLines, _events.EventFileLines);
        }

        if (_runtime is DataPlane plane)
        {
            var rules = plane.Rules;
            _rules.WithLabels("loaded").Set(rules?.Report.Loaded ?? 0);
            _rules.WithLabels("rejected").Set(rules?.Report.Rejected ?? 0);
            long alerts = 0;
            foreach (var w in workers)
                if (w.Inspector is Bridge.Rules.Inspection.RuleInspector ri) alerts += ri.Alerts;
            _totals.Set(_snortAlerts, alerts);
            _totals.Set(_frameFaults, plane.FrameFaults().Faults);
            CollectRules(plane, workers);
            _totals.Set(_configChanges.WithLabels("applied"), plane.ConfigsApplied);
            _totals.Set(_configChanges.WithLabels("refused"), plane.ConfigsRefused);
        }
    }

    private void CollectRules(DataPlane plane, IReadOnlyList<Pipeline.Core.DataPath> workers)
    {
        var rules = plane.Rules;
        var (applied, refused) = plane.RulesReloads;
        _totals.Set(_rulesReloads.WithLabels("applied"), applied);
        _totals.Set(_rulesReloads.WithLabels("refused"), refused);
        foreach (var (scheme, result) in ExportCounters.OperationCounts.Keys)
            _totals.Set(_exports.WithLabels(scheme, result), ExportCounters.OperationCounts[(scheme, result)]);
        foreach (var (scheme, bytes) in ExportCounters.Bytes)
            _totals.Set(_exportBytes.WithLabels(scheme), bytes);
        if (rules is null)
        {
            // No rule set (none configured, or the engine is down): the fail policy may still be counting.
            CollectFailPolicy(Commands.Snort.SnortCounters.Read(workers, null));
            return;
        }
        foreach (var (reason, count) in rules.Report.ByReason)
            _rulesRejected.WithLabels(reason).Set(count);
        var counters = Commands.Snort.SnortCounters.Read(workers, rules);
        CollectFailPolicy(counters);
        long other = 0;
        for (int i = 0; i < counters.Hits.Length; i++)
        {
            long hits = counters.Hits[i];
            if (hits == 0) continue;
            var r = rules.Rules[i];
            string id = $"{r.Gid}:{r.Sid}:{r.Rev}";
            // First come, first labelled: a series never moves to 'other' later, so every counter stays monotonic.
            if (_labelledRules.Contains(id) || (_labelledRules.Count < RuleLabels && _labelledRules.Add(id)))
                _totals.Set(_ruleMatches.WithLabels(id), hits);
            else
                other += hits;
        }
        _totals.Set(_ruleMatches.WithLabels("other"), other);
    }

    private static readonly string[] CaptureStates = ["capturing", "stopped", "buffer-full"];

    private async Task CollectCapturesAsync(CancellationToken cancel)
    {
        if (_runtime.Workers.Count == 0) return;
        var registry = CaptureStore.For(_runtime);
        var counters = await registry.CountersAsync(action => _runtime.RunOnWorkers(dp => action(dp.WorkerIndex), cancel)).ConfigureAwait(false);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in counters)
        {
            if (present.Count == CaptureLabels) break;
            present.Add(c.Name);
            _capturePackets.WithLabels(c.Name).Set(c.Packets);
            _captureBytes.WithLabels(c.Name).Set(c.Bytes);
            _totals.Set(_captureCaptured.WithLabels(c.Name), c.Captured);
            foreach (var state in CaptureStates)
                _captureState.WithLabels(c.Name, state).Set(state == c.State ? 1 : 0);
        }
        // A removed capture's series go with it, so dashboards do not show it frozen.
        foreach (var gone in _labelledCaptures.Where(n => !present.Contains(n)).ToList())
        {
            _capturePackets.RemoveLabelled(gone);
            _captureBytes.RemoveLabelled(gone);
            _totals.Forget(_captureCaptured.WithLabels(gone));
            _captureCaptured.RemoveLabelled(gone);
            foreach (var state in CaptureStates) _captureState.RemoveLabelled(gone, state);
            _labelledCaptures.Remove(gone);
        }
        _labelledCaptures.UnionWith(present);
    }

    private void CollectFailPolicy(Commands.Snort.SnortCounters c)
    {
        _totals.Set(_snortFailOpen.WithLabels("down"), c.BypassedDown);
        _totals.Set(_snortFailOpen.WithLabels("busy"), c.BypassedBusy);
        _totals.Set(_snortFailClose.WithLabels("down"), c.DroppedDown);
        _totals.Set(_snortFailClose.WithLabels("busy"), c.DroppedBusy);
    }

    private void CollectDrops(IReadOnlyList<Pipeline.Core.DataPath> workers, DropSection section, string label)
    {
        var sums = Pipeline.Show.ShowAspDrop.Sum(workers, section);
        for (int r = 1; r < sums.Length; r++)
        {
            // Every known reason is published from the start (at 0), so rate() works from the first drop.
            _totals.Set(_aspDrops.WithLabels(label, DropCatalogue.Keyword((DropReason)r)), sums[r]);
        }
    }

    /// <summary>
    /// Turns sources that may be reset (clear asp drop, clear counters) into monotonic counters: a
    /// value below the last one seen means the source restarted from zero, and all of it is new.
    /// </summary>
    private sealed class Totals
    {
        private readonly Dictionary<object, long> _last = new(ReferenceEqualityComparer.Instance);

        public void Set(Counter.Child child, long current) => Advance(child, current, child.Inc);

        public void Set(Counter counter, long current) => Advance(counter, current, counter.Inc);

        public void Forget(Counter.Child child) => _last.Remove(child);

        private void Advance(object key, long current, Action<double> inc)
        {
            _last.TryGetValue(key, out long last);
            long delta = current >= last ? current - last : current;
            if (delta > 0) inc(delta);
            _last[key] = current;
        }
    }
}
