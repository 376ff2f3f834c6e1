using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Rules;
using Bridge.Rules.Inspection;

namespace Bridge.Daemon.Commands.Snort;

/// <summary>
/// The rules engine's numbers summed over the workers: the SNORT stage's counters and each
/// worker's engine (alerts, per-rule hits). Read from the control thread without stopping the
/// workers: each value is a plain 64-bit counter, so a read may miss the packet in flight, never
/// tear.
/// </summary>
public sealed class SnortCounters
{
    private static readonly CounterDef Inspected = Find("EXTERNAL-INSPECT", "inspected");
    private static readonly CounterDef Blocked = Find("SNORT", "blocked");
    private static readonly CounterDef Injected = Find("SNORT", "reject_replies");
    private static readonly CounterDef FastForwarded = Find("SNORT", "fast_forwarded");
    private static readonly CounterDef Blacklisted = Find("SNORT", "blacklisted_flows");
    private static readonly CounterDef FailOpenDownDef = Find("SNORT", "fail_open_down");
    private static readonly CounterDef FailOpenBusyDef = Find("SNORT", "fail_open_busy");
    private static readonly CounterDef FailCloseDownDef = Find("SNORT", "fail_close_down");
    private static readonly CounterDef FailCloseBusyDef = Find("SNORT", "fail_close_busy");
    private static readonly CounterDef EngineFaultsDef = Find("SNORT", "engine_faults");

    public long Inspections { get; private init; }
    public long BlockedPackets { get; private init; }
    /// <summary>Packets the engine let through: inspected and not blocked.</summary>
    public long PassedPackets => Math.Max(0, Inspections - BlockedPackets);
    public long InjectedPackets { get; private init; }
    public long FastForwardedFlows { get; private init; }
    public long BlacklistedFlows { get; private init; }
    public long Alerts { get; private init; }

    /// <summary>snort fail-open: packets passed uninspected while the engine was down / busy (FTD "Packets bypassed").</summary>
    public long BypassedDown { get; private init; }
    public long BypassedBusy { get; private init; }
    /// <summary>snort fail-close: packets dropped while the engine was down (snort-down) / busy (snort-busy-not-fail-open).</summary>
    public long DroppedDown { get; private init; }
    public long DroppedBusy { get; private init; }
    /// <summary>Exceptions the engine threw on a packet (each then handled as "down").</summary>
    public long EngineFaults { get; private init; }

    /// <summary>Hits per rule index of <see cref="RuleSet"/> (empty without rules).</summary>
    public long[] Hits { get; private init; } = [];

    public RuleSet? RuleSet { get; private init; }

    public static SnortCounters Read(IReadOnlyList<DataPath> workers, RuleSet? rules)
    {
        long inspected = 0, blocked = 0, injected = 0, fast = 0, black = 0, alerts = 0;
        long openDown = 0, openBusy = 0, closeDown = 0, closeBusy = 0, faults = 0;
        var hits = new long[rules?.Rules.Count ?? 0];
        foreach (var dp in workers)
        {
            inspected += dp.Counters[Inspected.Index];
            blocked += dp.Counters[Blocked.Index];
            injected += dp.Counters[Injected.Index];
            fast += dp.Counters[FastForwarded.Index];
            black += dp.Counters[Blacklisted.Index];
            openDown += dp.Counters[FailOpenDownDef.Index];
            openBusy += dp.Counters[FailOpenBusyDef.Index];
            closeDown += dp.Counters[FailCloseDownDef.Index];
            closeBusy += dp.Counters[FailCloseBusyDef.Index];
            faults += dp.Counters[EngineFaultsDef.Index];
            // Only engines over the current rule set: a worker may still hold the old one for a batch after a reload.
            if (dp.Inspector is RuleInspector engine && ReferenceEquals(engine.RuleSet, rules))
            {
                alerts += engine.Alerts;
                var h = engine.Hits;
                for (int i = 0; i < hits.Length && i < h.Length; i++) hits[i] += h[i];
            }
        }
        return new SnortCounters
        {
            Inspections = inspected,
            BlockedPackets = blocked,
            InjectedPackets = injected,
            FastForwardedFlows = fast,
            BlacklistedFlows = black,
            Alerts = alerts,
            BypassedDown = openDown,
            BypassedBusy = openBusy,
            DroppedDown = closeDown,
            DroppedBusy = closeBusy,
            EngineFaults = faults,
            Hits = hits,
            RuleSet = rules,
        };
    }

    private static CounterDef Find(string group, string name)
    {
        // The stage declares its counters in its static constructor; touch it so they exist.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Pipeline.Stages.ExternalInspect.ExternalInspectStage).TypeHandle);
        foreach (var c in CounterRegistry.All)
        {
            if (c.Group == group && c.Name == name) return c;
        }
        throw new InvalidOperationException($"counter {group}/{name} is not declared");
    }
}
