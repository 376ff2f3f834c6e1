using System.Buffers.Binary;
using Bridge.Packets;
using Bridge.Pipeline.Core;

namespace Bridge.Capture;

/// <summary>
/// Every defined capture, compiled against one snapshot, split by what taps it: interface captures
/// (ingress and egress) and asp-drop captures. Immutable; the registry swaps it whole.
/// </summary>
public sealed class CaptureSet
{
    public CaptureSet(IReadOnlyList<ActiveCapture> captures, RuntimeSnapshot snapshot)
    {
        Snapshot = snapshot;
        All = [.. captures];
        Interfaces = [.. captures.Where(c => c.Definition.Type == CaptureType.RawData && c.Definition.Interface is not null)];
        Drops = [.. captures.Where(c => c.Definition.Type == CaptureType.AspDrop)];
        Alerts = [.. captures.Where(c => c.Definition.Type == CaptureType.Alert)];
        // Trace claims are a 64-bit mask per packet; a 65th traced capture still captures, untraced.
        Traced = Interfaces.Any(c => c.Definition.Trace);
    }

    public RuntimeSnapshot Snapshot { get; }
    public ActiveCapture[] All { get; }
    internal ActiveCapture[] Interfaces { get; }
    internal ActiveCapture[] Drops { get; }
    internal ActiveCapture[] Alerts { get; }
    internal bool Traced { get; }
}

/// <summary>
/// The <see cref="ICaptureHook"/> of one worker: offers frames to the captures of the current
/// <see cref="CaptureSet"/> and writes matches into that worker's slots. Runs per packet: no
/// allocation, no lock; the only shared writes are the atomic reservations of a matched frame.
/// </summary>
public sealed class WorkerCaptureHook(CaptureSet set, int worker, DataPath path) : ICaptureHook
{
    private ulong _traceClaims;

    public CaptureSet Set { get; } = set;
    public int Worker { get; } = worker;

    public bool WantsTrace(ref PacketContext ctx)
    {
        _traceClaims = 0;
        if (!Set.Traced || ctx.DryRun) return false;
        var caps = Set.Interfaces;
        var snap = path.Snapshot;
        for (int i = 0; i < caps.Length && i < 64; i++)
        {
            var c = caps[i];
            var def = c.Definition;
            if (!def.Trace || def.Stopped || InterfaceOf(c, snap) != ctx.IngressIf) continue;
            if (!c.Accepts(ctx.Info, ctx.Info.VlanCount > 0)) continue;
            if (c.Storage.ClaimTrace(def.TraceCount)) _traceClaims |= 1UL << i;
        }
        return _traceClaims != 0;
    }

    public bool WantsAlerts => Set.Alerts.Length > 0;

    public bool Ingress(ref PacketContext ctx)
    {
        ulong claims = _traceClaims;
        _traceClaims = 0;
        if (Set.Alerts.Length > 0 && !ctx.DryRun) OfferToAlertCaptures(ref ctx);
        var caps = Set.Interfaces;
        var snap = path.Snapshot;
        bool defined = false;
        for (int i = 0; i < caps.Length; i++)
        {
            var c = caps[i];
            if (InterfaceOf(c, snap) != ctx.IngressIf) continue;
            defined = true;
            if (ctx.DryRun || !c.Accepts(ctx.Info, ctx.Info.VlanCount > 0)) continue;
            var trace = i < 64 && (claims & (1UL << i)) != 0 ? ctx.Trace : null;
            c.Store(Worker, ctx.Frame, ctx.Info, 0, ctx.NowNs, CaptureDirection.Ingress, DropReason.None, DropSection.Frame, trace);
        }
        return defined;
    }

    public bool Egress(ref PacketContext ctx, int egressIf, scoped ReadOnlySpan<byte> frame)
    {
        var caps = Set.Interfaces;
        var snap = path.Snapshot;
        bool defined = false;
        for (int i = 0; i < caps.Length; i++)
        {
            var c = caps[i];
            if (InterfaceOf(c, snap) != egressIf) continue;
            defined = true;
            // The egress frame may have gained or lost a tag: filter on what leaves, not on what came in.
            bool tagged = frame.Length >= 14 && BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12)) is EtherTypes.Vlan or EtherTypes.QinQ;
            if (ctx.DryRun || !c.Accepts(ctx.Info, tagged)) continue;
            c.Store(Worker, frame, ctx.Info, frame.Length - ctx.Info.FrameLength, ctx.NowNs, CaptureDirection.Egress, DropReason.None, DropSection.Frame, null);
        }
        return defined;
    }

    /// <summary>
    /// Alert captures see every received frame: kept at once when its flow has alerted, else
    /// remembered (bounded) in case the flow alerts later.
    /// </summary>
    private void OfferToAlertCaptures(ref PacketContext ctx)
    {
        var caps = Set.Alerts;
        var snap = path.Snapshot;
        ulong flow = AlertFlows.FlowOf(ctx.Info);
        if (flow == 0) return;
        for (int i = 0; i < caps.Length; i++)
        {
            var c = caps[i];
            if (c.Definition.Stopped) continue;
            if (c.Definition.Interface is not null && InterfaceOf(c, snap) != ctx.IngressIf) continue;
            if (!c.Accepts(ctx.Info, ctx.Info.VlanCount > 0)) continue;
            var flows = c.Flows![Worker];
            if (flows.IsAlerted(flow))
            {
                c.Store(Worker, ctx.Frame, ctx.Info, 0, ctx.NowNs, CaptureDirection.Ingress, DropReason.None, DropSection.Frame, null);
            }
            else
            {
                int len = Math.Min(ctx.Frame.Length, c.Definition.PacketLength);
                flows.Remember(flow, ctx.Frame[..len], ctx.Frame.Length, ctx.NowNs, CaptureDirection.Ingress);
            }
        }
    }

    public void Alerted(ref PacketContext ctx, scoped ReadOnlySpan<uint> sids)
    {
        var caps = Set.Alerts;
        ulong flow = AlertFlows.FlowOf(ctx.Info);
        if (flow == 0) return;
        for (int i = 0; i < caps.Length; i++)
        {
            var c = caps[i];
            if (c.Definition.Stopped) continue;
            if (c.Definition.AlertSid is { } wanted && !sids.Contains(wanted)) continue;
            var flows = c.Flows![Worker];
            if (!flows.MarkAlerted(flow)) continue;
            // The packets that led up to the alert (this one included: ingress ran first).
            var store = new SlotStore(c, Worker);
            flows.Release(flow, ref store);
        }
    }

    /// <summary>Writes released frames into the capture's ring of one worker.</summary>
    private readonly struct SlotStore(ActiveCapture capture, int worker) : IFrameStore
    {
        public void Store(ReadOnlySpan<byte> frame, int originalLength, long timeNs, CaptureDirection direction) =>
            capture.StoreRaw(worker, frame, originalLength, timeNs, direction);
    }

    public void Dropped(ref PacketContext ctx)
    {
        var caps = Set.Drops;
        if (caps.Length == 0) return;
        var snap = path.Snapshot;
        for (int i = 0; i < caps.Length; i++)
        {
            var c = caps[i];
            var def = c.Definition;
            if (def.DropFilter is { } only && only != ctx.Drop) continue;
            if (def.Interface is not null && InterfaceOf(c, snap) != ctx.IngressIf) continue;
            if (!c.Accepts(ctx.Info, ctx.Info.VlanCount > 0)) continue;
            c.Store(Worker, ctx.Frame, ctx.Info, 0, ctx.NowNs, CaptureDirection.Drop, ctx.Drop, ctx.DropSection, null);
        }
    }

    /// <summary>
    /// The capture's nameif index under the worker's current snapshot: precomputed, unless a reload
    /// swapped the snapshot since the set was built (then looked up by name, without allocating).
    /// </summary>
    private int InterfaceOf(ActiveCapture c, RuntimeSnapshot snap)
    {
        if (ReferenceEquals(snap, Set.Snapshot)) return c.Interface;
        string? name = c.Definition.Interface;
        if (name is null) return -1;
        var ifs = snap.Interfaces;
        for (int i = 0; i < ifs.Count; i++)
        {
            if (ifs[i].NameIf == name) return ifs[i].Index;
        }
        return -1;
    }
}
