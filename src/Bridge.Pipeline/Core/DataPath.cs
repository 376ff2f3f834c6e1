using System.Runtime.CompilerServices;
using Bridge.Packets;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Events;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Stages;
using Bridge.Pipeline.Stages.Sanity;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Core;

/// <summary>Outcome of one packet through the pipeline.</summary>
public readonly record struct PacketOutcome(DropReason Drop, DropSection Section, int IngressIf, int EgressIf, int FlowSlot);

/// <summary>
/// One worker's data path: its flow-table shard, its counters and the stage pipeline. Only the
/// owning worker thread calls <see cref="Process"/>; other threads read the counters (plain
/// longs, summed at read time) and ask for snapshots.
/// </summary>
public sealed class DataPath
{
    private RuntimeSnapshot _snapshot;
    private readonly StagePipeline _stages = new();

    public DataPath(RuntimeSnapshot snapshot, MacTable macTable, ITransmitter? transmitter = null, int workerIndex = 0, int workerCount = 1, int flowCapacity = 65536)
    {
        _snapshot = snapshot;
        EngineExpected = snapshot.Config.SnortRules.Count > 0;
        Macs = macTable;
        Macs.AgingNs = snapshot.MacAgingNs;
        Transmitter = transmitter;
        WorkerIndex = workerIndex;
        WorkerCount = Math.Max(1, workerCount);
        Flows = new FlowTable(flowCapacity, workerIndex, workerCount) { Events = Events };
        AclHits = new long[Math.Max(1, snapshot.Policy.AceCount)];
        EgressBuffer = new byte[16 * 1024];
    }

    public int WorkerIndex { get; }
    public int WorkerCount { get; }

    /// <summary>
    /// This worker's share of a box-wide connection limit: flows are spread over the workers by
    /// hash, each owning its table, so each enforces its part (rounded up) without sharing a counter.
    /// </summary>
    public int ShareOf(int limit) => limit <= 0 ? 0 : (limit + WorkerCount - 1) / WorkerCount;

    /// <summary>The configuration this worker runs with; replaced whole by <see cref="Swap"/>.</summary>
    public RuntimeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public FlowTable Flows { get; }
    public MacTable Macs { get; }
    public ITransmitter? Transmitter { get; set; }
    public IExternalInspector? Inspector { get; set; }
    public ICaptureHook? Captures { get; set; }

    /// <summary>capture-traffic's view of the frames handed to <see cref="Inspector"/>; null unless a session listens.</summary>
    public ISnortTap? SnortTap { get; set; }

    /// <summary>Exceptions a stage threw on a packet (each dropped as <c>internal-error</c>); written by the worker only.</summary>
    public long StageFaults { get; private set; }

    /// <summary>The last such exception, for the log (read racily by the control plane).</summary>
    public Exception? LastFault { get; private set; }

    /// <summary>
    /// Set by the worker once per batch while its receive rings are backed up past the busy mark
    /// (with hysteresis): the rules engine is then "busy" and <c>snort fail-open/fail-close</c> decides
    /// what happens to packets that would be inspected. One branch per inspected packet.
    /// </summary>
    public bool EngineBusy { get; set; }

    /// <summary>The configuration has <c>snort rules</c>: without an <see cref="Inspector"/> the engine is then down, not absent.</summary>
    internal bool EngineExpected { get; private set; }

    /// <summary>Stage counters, indexed by <see cref="CounterDef.Index"/>.</summary>
    public long[] Counters { get; } = new long[CounterRegistry.Capacity];
    /// <summary>Frame-section drops by <see cref="DropReason"/>.</summary>
    public long[] FrameDrops { get; } = new long[(int)DropReason.Count];
    /// <summary>Flow-section drops by <see cref="DropReason"/>.</summary>
    public long[] FlowDrops { get; } = new long[(int)DropReason.Count];
    /// <summary>Hit counts per ACE of the current policy.</summary>
    public long[] AclHits { get; private set; }

    /// <summary>Per logical interface: packets/bytes in, out and dropped.</summary>
    public InterfaceCounters[] Interfaces { get; } = new InterfaceCounters[64];

    /// <summary>A copy of the flow that a dry run may modify freely, so that tracing never changes real state.</summary>
    internal Flow DryRunFlow;

    /// <summary>The flow the stages work on: the real one, or a scratch copy during a dry run.</summary>
    internal ref Flow FlowFor(ref PacketContext ctx)
    {
        if (!ctx.DryRun) return ref Flows[ctx.FlowSlot];
        if (ctx.FlowSlot >= 0) DryRunFlow = Flows[ctx.FlowSlot];
        return ref DryRunFlow;
    }

    /// <summary>Scratch for egress frames that need a VLAN tag inserted (no headroom in the ring).</summary>
    internal byte[] EgressBuffer { get; }

    /// <summary>Installs a new configuration. Flows survive; ACL hit counts restart with the new rule set.</summary>
    public void Swap(RuntimeSnapshot snapshot)
    {
        if (snapshot.Policy.AceCount != AclHits.Length) AclHits = new long[Math.Max(1, snapshot.Policy.AceCount)];
        else Array.Clear(AclHits);
        Macs.AgingNs = snapshot.MacAgingNs;
        EngineExpected = snapshot.Config.SnortRules.Count > 0;
        Volatile.Write(ref _snapshot, snapshot);
    }

    /// <summary>Runs one received frame through every stage.</summary>
    public PacketOutcome Process(Span<byte> frame, int physPort, long nowNs, TraceSink? trace = null, bool dryRun = false)
    {
        var ctx = new PacketContext(frame, physPort, nowNs);
        ctx.Trace = trace;
        ctx.DryRun = dryRun;
        var snap = Snapshot;

        var drop = FrameDecoder.Decode(frame, ref ctx.Info);
        if (ctx.Info.L3Offset >= 0)
        {
            // Ethernet header and tags decoded: the frame has arrived on a nameif even when its
            // payload is malformed, so the drop is counted there and the trace names it.
            ctx.IngressIf = snap.Classify(physPort, ctx.Info.OuterVlan);
            if (ctx.IngressIf < 0)
            {
                // A VLAN (or untagged traffic) that no nameif carries on this port.
                drop = DropReason.InvalidEncap;
            }
            else
            {
                if (!dryRun)
                {
                    ref var ic = ref Interfaces[ctx.IngressIf];
                    ic.PacketsIn++;
                    ic.BytesIn += frame.Length;
                }
                if (drop == DropReason.None) drop = FrameSanity.Check(in ctx.Info, snap.InterfaceTable[ctx.IngressIf].Mtu);
            }
        }
        if (drop != DropReason.None)
        {
            ctx.DropFrame(drop);
        }
        else
        {
            if (trace is not null || Captures is not null) trace = BeginTrace(ref ctx, snap, trace);
            RunStages(ref ctx);
        }

        // Nothing to settle for a forwarded, untraced packet that leaves its connection open.
        if (ctx.CloseFlow || ctx.Drop != DropReason.None || trace is not null) Settle(ref ctx, snap, trace);
        return new PacketOutcome(ctx.Drop, ctx.DropSection, ctx.IngressIf, ctx.EgressIf, ctx.FlowSlot);
    }

    // A capture may want this packet traced (FTD's "capture ... trace"); the trace names the ingress nameif.
    private TraceSink? BeginTrace(ref PacketContext ctx, RuntimeSnapshot snap, TraceSink? trace)
    {
        if (trace is null && Captures is not null && Captures.WantsTrace(ref ctx))
        {
            ctx.Trace = trace = new TraceSink();
        }
        if (trace is not null) trace.InputInterface = snap.InterfaceTable[ctx.IngressIf].NameIf;
        return trace;
    }

    // The stage loop on its own, so that its exception handler does not weigh on the decode and
    // classification code around it.
    private void RunStages(ref PacketContext ctx)
    {
        try
        {
            _stages.Run(ref ctx, this);
        }
        catch (Exception e)
        {
            // A bug in a stage costs this packet, counted where an operator looks (show asp
            // drop internal-error), never the worker; the flow it may have half-changed stays
            // and is judged again by the next packet.
            if (!ctx.DryRun)
            {
                StageFaults++;
                LastFault = e;
            }
            ctx.Trace?.Add("INTERNAL-ERROR", "", false, info: [e.GetType().Name + ": " + e.Message]);
            ctx.DropFrame(DropReason.InternalError);
        }
    }

    // After the stages: close the connection the packet ended, count a drop, finish the trace.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Settle(ref PacketContext ctx, RuntimeSnapshot snap, TraceSink? trace)
    {
        bool dryRun = ctx.DryRun;
        if (ctx.CloseFlow && ctx.FlowSlot >= 0 && !dryRun)
        {
            Flows.Remove(ctx.FlowSlot, CloseReason(ref ctx), ctx.NowNs);
        }
        if (ctx.Drop != DropReason.None && !dryRun)
        {
            if (ctx.DropSection == DropSection.Flow) FlowDrops[(int)ctx.Drop]++;
            else FrameDrops[(int)ctx.Drop]++;
            if (ctx.IngressIf >= 0) Interfaces[ctx.IngressIf].Dropped++;
            Captures?.Dropped(ref ctx);
        }
        if (trace is not null)
        {
            trace.Allowed = ctx.Drop == DropReason.None;
            trace.Drop = ctx.Drop;
            trace.DropSection = ctx.DropSection;
            if (ctx.IngressIf >= 0 && trace.InputInterface.Length == 0) trace.InputInterface = snap.InterfaceTable[ctx.IngressIf].NameIf;
            if (ctx.EgressIf >= 0) trace.OutputInterface = snap.InterfaceTable[ctx.EgressIf].NameIf;
            trace.Finish();
        }
    }

    // The packet that closed the flow says how: a reset from one side, or the last of the FINs.
    private TeardownReason CloseReason(ref PacketContext ctx)
    {
        if (ctx.Info.Protocol != Bridge.Packets.IpProtocol.Tcp)
            return TeardownReason.ClosedByInspection;
        if ((ctx.Info.TcpFlags & Bridge.Packets.TcpFlags.Rst) != 0)
            return ctx.FromResponder ? TeardownReason.TcpResetO : TeardownReason.TcpResetI;
        return TeardownReason.TcpFins;
    }

    /// <summary>Built, teardown and deny events of this worker, drained by the control plane.</summary>
    public ConnEventRing Events { get; } = new();

    /// <summary>Removes idle flows; called by the worker between batches with a bounded budget.</summary>
    public int Sweep(long nowNs, int budget = 256) => Flows.Sweep(nowNs, Snapshot.Timeouts, budget);

    public void ClearCounters()
    {
        Array.Clear(FrameDrops);
        Array.Clear(FlowDrops);
    }
}

/// <summary>Software traffic statistics of one nameif (show interface "Traffic Statistics").</summary>
public struct InterfaceCounters
{
    public long PacketsIn;
    public long BytesIn;
    public long PacketsOut;
    public long BytesOut;
    public long Dropped;
}
