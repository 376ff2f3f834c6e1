using Bridge.Daemon.Commands.Show;
using Bridge.Daemon.Runtime;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Trace;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>A finished trace with the frame it traced.</summary>
public sealed record TraceResult(TraceSink Trace, byte[] Frame, PacketOutcome Outcome, int Worker);

/// <summary>
/// Runs a synthetic packet through the real stages in dry run (issue 6 §2). The dry run works on a
/// worker's scratch flow copy, so it runs on that worker's thread (<see cref="IBridgeRuntime.RunOnWorker"/>):
/// the worker that holds the packet's connection when one exists, else worker 0. <c>state
/// established</c> without a live connection opens one in a sandbox (a fresh <see cref="DataPath"/>
/// over the running snapshot with a copy of the MAC table) and traces the packet there.
/// </summary>
public static class TracerEngine
{
    public static async Task<TraceResult> TraceAsync(IBridgeRuntime runtime, TracerRequest request, CancellationToken cancellation)
    {
        var snap = runtime.Snapshot;
        int ifIndex = snap.FindNameIf(request.Interface);
        if (ifIndex < 0) throw new TracerException($"ERROR: interface {request.Interface} does not exist");
        var li = snap.Interfaces[ifIndex];
        ushort vlan = request.VlanId ?? li.Vlan;
        var packet = new SyntheticPacket(request);
        byte[] probe = packet.Build(vlan, SyntheticPacket.ClientIsn, 0, request.Established);

        var info = new FrameInfo();
        FrameDecoder.Decode(probe, ref info);
        int classified = snap.Classify(li.PhysPort, vlan);
        byte zone = (byte)snap.Interfaces[classified >= 0 ? classified : ifIndex].BridgeGroup;
        ushort sp = 0, dp = 0;
        if (info.L4Offset >= 0) FlowKeys.Ports(info, out sp, out dp);
        var key = FlowKeys.For(info, sp, dp, zone, out _);

        var workers = runtime.Workers;
        var holds = new bool[workers.Count];
        await runtime.RunOnWorkers(w => holds[w.WorkerIndex] = w.Flows.Lookup(key) >= 0, cancellation).ConfigureAwait(false);
        int worker = Array.IndexOf(holds, true);
        bool live = worker >= 0;
        if (!live) worker = 0;

        long[] hits = ShowAccessListCommand.Hits(runtime, snap.Policy);
        long now = runtime.NowNs();
        if (request.Established && !live)
        {
            return await runtime.RunOnWorker(worker, w => Sandboxed(w, snap, packet, li, vlan, now, hits, classified), cancellation).ConfigureAwait(false);
        }
        return await runtime.RunOnWorker(worker, w => DryRun(w, packet, li, vlan, key, now, hits, classified), cancellation).ConfigureAwait(false);
    }

    /// <summary>On the worker's thread: the dry run over the worker's own tables.</summary>
    private static TraceResult DryRun(DataPath w, SyntheticPacket packet, LogicalInterface li, ushort vlan, FlowKey key, long now, long[] hits, int classified)
    {
        int slot = w.Flows.Lookup(key);
        Flow? flow = slot >= 0 ? w.Flows[slot] : null;
        bool established = packet.Request.Established;
        byte[] frame = packet.Build(vlan, SyntheticPacket.ClientIsn, 0, established);
        if (established && flow is { } f && packet.Request.Protocol == IpProtocol.Tcp && f.Tcp != TcpState.None)
        {
            var (seq, ack) = SyntheticPacket.SequenceOn(f, packet.Request);
            frame = packet.Build(vlan, seq, ack, established: true);
        }
        return Run(w, frame, li, now, hits, classified, flow, w.WorkerIndex, []);
    }

    /// <summary>On the worker's thread (its inspector is not thread-safe): open the connection in a sandbox, then trace.</summary>
    private static TraceResult Sandboxed(DataPath w, RuntimeSnapshot snap, SyntheticPacket packet, LogicalInterface li, ushort vlan, long now, long[] hits, int classified)
    {
        var sandbox = Sandbox.Create(snap, w.Macs, now);
        int egress = -1;
        string? failure = null;
        foreach (var (fromIngress, build) in packet.Opening())
        {
            int side = fromIngress ? li.Index : egress >= 0 ? egress : FirstPeer(snap, li.Index);
            if (side < 0) break;
            var sideIf = snap.Interfaces[side];
            byte[] frame = build(fromIngress ? vlan : sideIf.Vlan);
            var outcome = sandbox.Process(frame, sideIf.PhysPort, now);
            if (fromIngress && egress < 0 && outcome.EgressIf >= 0) egress = outcome.EgressIf;
            if (outcome.Drop != DropReason.None && failure is null)
            {
                failure = $"state established: the opening packet was dropped ({DropCatalogue.Keyword(outcome.Drop)}), no connection to simulate on";
            }
        }

        var request = packet.Request;
        uint seq = SyntheticPacket.ClientIsn + 1, ack = SyntheticPacket.ServerIsn + 1;
        byte[] traced = packet.Build(vlan, seq, ack, established: true);
        var info = new FrameInfo();
        FrameDecoder.Decode(traced, ref info);
        ushort sp = 0, dp = 0;
        if (info.L4Offset >= 0) FlowKeys.Ports(info, out sp, out dp);
        var key = FlowKeys.For(info, sp, dp, (byte)li.BridgeGroup, out _);
        int slot = sandbox.Flows.Lookup(key);
        Flow? flow = slot >= 0 ? sandbox.Flows[slot] : null;

        string note = failure ?? (request.Protocol == IpProtocol.Tcp
            ? "state established: connection opened in the tracer's sandbox (SYN, SYN-ACK, ACK), live tables untouched"
            : "state established: connection opened in the tracer's sandbox, live tables untouched");
        sandbox.Inspector = w.Inspector;
        return Run(sandbox, traced, li, now, hits, classified, flow, -1, [note]);
    }

    private static TraceResult Run(DataPath path, byte[] frame, LogicalInterface li, long now, long[] hits, int classified, Flow? flow, int worker, IReadOnlyList<string> note)
    {
        var info = new FrameInfo();
        FrameDecoder.Decode(frame, ref info);
        int macIf = path.Macs.Lookup(info.Dst, now);
        var sink = new TraceSink { InputInterface = li.NameIf };
        // The stages may rewrite the frame in place (egress VLAN); the caller keeps the frame as built.
        byte[] scratch = (byte[])frame.Clone();
        var outcome = path.Process(scratch, li.PhysPort, now, sink, dryRun: true);
        var facts = new TraceFacts
        {
            Snapshot = path.Snapshot,
            Info = info,
            IngressIf = classified,
            Hits = hits,
            DestinationMacIf = macIf,
            ExistingFlow = flow,
            Worker = worker,
            FlowNote = note,
            NowNs = now,
        };
        return new TraceResult(TraceDetail.Enrich(sink, facts), frame, outcome, worker);
    }

    private static int FirstPeer(RuntimeSnapshot snap, int iface)
    {
        var peers = snap.Peers(iface);
        return peers.Length > 0 ? peers[0] : -1;
    }
}

/// <summary>A private copy of the data path: the running snapshot, its own flow table and a copy of the MAC table. Nothing it does reaches the live workers.</summary>
public static class Sandbox
{
    public const int DefaultFlowCapacity = 65536;

    public static DataPath Create(RuntimeSnapshot snapshot, MacTable? liveMacs, long nowNs, int flowCapacity = DefaultFlowCapacity)
    {
        var macs = new MacTable();
        if (liveMacs is not null)
        {
            foreach (var e in liveMacs.Snapshot(nowNs)) macs.Learn(e.Mac, e.Interface, e.LastSeenNs);
        }
        return new DataPath(snapshot, macs, transmitter: null, workerIndex: 0, workerCount: 1, flowCapacity: flowCapacity);
    }
}

/// <summary>A packet-tracer request that cannot run; the message is printed as is.</summary>
public sealed class TracerException(string message) : Exception(message);
