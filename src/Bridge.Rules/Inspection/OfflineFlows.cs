using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;

namespace Bridge.Rules.Inspection;

/// <summary>
/// Flow tracking for inspecting captures without the pipeline (the <c>bridged snort</c> runner,
/// tests, benchmarks): the pipeline's flow table and keys, and the TCP handshake as far as
/// <c>flow:established</c> needs it.
/// </summary>
public sealed class OfflineFlows(int capacity)
{
    private readonly FlowTable _table = new(capacity);

    public int Count => _table.Count;

    /// <summary>Decodes a frame, finds or creates its flow, follows the TCP handshake, and inspects.</summary>
    public InspectorVerdict Inspect(ReadOnlySpan<byte> frame, long nowNs, RuleInspector inspector)
    {
        var info = default(FrameInfo);
        info.Reset();
        if (FrameDecoder.Decode(frame, ref info) != DropReason.None || !info.IsIp) return InspectorVerdict.Pass;
        if (info.L4Offset < 0 || FlowKeys.IsIcmpError(info))
            return inspector.Inspect(frame, in info, nowNs, -1, 0, toServer: true, established: false);
        FlowKeys.Ports(info, out ushort sp, out ushort dp);
        var key = FlowKeys.For(info, sp, dp, 0, out bool srcIsA);
        int slot = _table.Lookup(key);
        bool existing = slot >= 0;
        if (!existing)
        {
            if (_table.Count >= _table.Capacity - 1) _table.Sweep(nowNs, FlowTimeouts.Default, _table.Capacity);
            slot = _table.Insert(key, srcIsA, nowNs);
            if (slot < 0) return inspector.Inspect(frame, in info, nowNs, -1, 0, toServer: true, established: false);
        }
        ref Flow flow = ref _table[slot];
        flow.LastNs = nowNs;
        flow.Packets++;
        bool toServer = srcIsA == flow.InitiatorIsA;
        bool established;
        if (info.IsTcp)
        {
            Track(ref flow, info.TcpFlags, toServer, existing);
            established = flow.Tcp is TcpState.Established or TcpState.HalfClosed or TcpState.Closing;
        }
        else
        {
            established = existing;
        }
        var verdict = inspector.Inspect(frame, in info, nowNs, slot, flow.Id, toServer, established);
        if (info.IsTcp && flow.Tcp == TcpState.Closed) _table.Remove(slot, Bridge.Pipeline.Events.TeardownReason.TcpFins, nowNs);
        return verdict;
    }

    /// <summary>
    /// The handshake as far as <c>flow:established</c> needs it. A connection picked up in the
    /// middle (first packet not a SYN) counts as established, as Snort's stream tracking accepts
    /// midstream sessions by default.
    /// </summary>
    private static void Track(ref Flow flow, TcpFlags flags, bool toServer, bool existing)
    {
        bool syn = (flags & TcpFlags.Syn) != 0, ack = (flags & TcpFlags.Ack) != 0;
        if ((flags & TcpFlags.Rst) != 0)
        {
            flow.Tcp = TcpState.Closed;
            return;
        }
        if (!existing)
        {
            flow.Tcp = syn && !ack ? TcpState.SynSent : TcpState.Established;
            return;
        }
        switch (flow.Tcp)
        {
            case TcpState.SynSent when !toServer && syn && ack:
                flow.Tcp = TcpState.SynReceived;
                break;
            case TcpState.SynReceived when toServer && ack && !syn:
                flow.Tcp = TcpState.Established;
                break;
            case TcpState.Established when (flags & TcpFlags.Fin) != 0:
                flow.Tcp = TcpState.HalfClosed;
                break;
            case TcpState.HalfClosed when (flags & TcpFlags.Fin) != 0:
                flow.Tcp = TcpState.Closing;
                break;
        }
    }
}
