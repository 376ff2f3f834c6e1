using Bridge.Pipeline.Events;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Stages.Inspect;

namespace Bridge.Pipeline.Stages.FlowCreation;

/// <summary>
/// FLOW-CREATION: builds the connection entry for a first packet that every check allowed, and
/// records the protocol state that INSPECT validated (TCP SYN, ICMP echo request). A dry run
/// reports the id the connection would get and inserts nothing.
/// </summary>
public sealed class FlowCreationStage : Stage
{
    public override string Type => "FLOW-CREATION";

    public override bool FirstPacketOnly => true;

    private static readonly int Created = CounterRegistry.Declare("FLOW-CREATION", "created", "Connections created").Index;
    private static readonly int Full = CounterRegistry.Declare("FLOW-CREATION", "table_full", "Connections refused because the worker's table was full").Index;
    private static readonly int Evicted = CounterRegistry.Declare("FLOW-CREATION", "evicted", "Connections given up, the longest idle first, to make room in a full table").Index;

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        if (!ctx.Info.IsIp || ctx.ExistingFlow || ctx.Stateless || !ctx.HasKey) return StageResult.Continue;

        if (ctx.DryRun)
        {
            ctx.NewFlowId = dp.Flows.PeekNextId();
            dp.DryRunFlow = default;
            Init(ref dp.DryRunFlow, ref ctx, dp);
            dp.DryRunFlow.Id = ctx.NewFlowId;
        }
        else
        {
            int slot = dp.Flows.InsertEvicting(ctx.Key, ctx.SrcIsA, ctx.NowNs, dp.Snapshot.Timeouts, out bool evicted);
            if (evicted) dp.Counters[Evicted]++;
            if (slot < 0)
            {
                dp.Counters[Full]++;
                ctx.Trace?.Add(Type, "", false, info: ["Connection table full"]);
                return ctx.DropFlow(DropReason.UnableToCreateFlow);
            }
            dp.Counters[Created]++;
            ref Flow flow = ref dp.Flows[slot];
            Init(ref flow, ref ctx, dp);
            if (ctx.Info.IsTcp) dp.Flows.MarkEmbryonic(slot);
            ctx.FlowSlot = slot;
            ctx.NewFlowId = flow.Id;
            var built = ConnEvent.For(flow, ConnEventKind.Built, ctx.NowNs);
            built.IcmpType = ctx.Info.IcmpType;
            built.IcmpCode = ctx.Info.IcmpCode;
            dp.Events.TryWrite(built);
        }
        if (ctx.Trace is not null)
        {
            ctx.Trace.Add(Type, "", true, info: [$"New flow created with id {ctx.NewFlowId}, packet dispatched to next module"]);
        }
        return StageResult.Continue;
    }

    private static void Init(ref Flow flow, ref PacketContext ctx, DataPath dp)
    {
        ref readonly var info = ref ctx.Info;
        flow.InitiatorIsA = ctx.SrcIsA;
        flow.InitiatorIf = ctx.IngressIf;
        flow.ResponderIf = ctx.EgressIf >= 0 ? ctx.EgressIf : FirstPeer(ref ctx, dp);
        flow.AceIndex = ctx.AceIndex;
        flow.Trusted = ctx.Trusted;
        flow.Packets = 1;
        flow.Bytes = info.PayloadLength > 0 ? info.PayloadLength : 0;
        if (info.IsTcp)
        {
            TcpTracker.Open(ref flow, info);
        }
        else if (FlowKeys.IsEchoRequest(info))
        {
            flow.EchoId = info.IcmpId;
            IcmpInspector.AddPending(ref flow, info.IcmpSeq);
        }
    }

    private static int FirstPeer(ref PacketContext ctx, DataPath dp)
    {
        var peers = dp.Snapshot.Peers(ctx.IngressIf);
        return peers.Length > 0 ? peers[0] : -1;
    }
}
