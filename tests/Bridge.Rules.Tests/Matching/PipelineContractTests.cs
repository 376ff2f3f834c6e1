using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;
using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Matching;

/// <summary>The engine behind the pipeline's contract: IExternalInspector.Inspect(ref PacketContext, ref Flow).</summary>
public class PipelineContractTests
{
    private const string Rules = """
        alert tcp any any -> any any (flow:to_server,established; content:"login"; flowbits:set,in; flowbits:noalert; sid:1;)
        drop tcp any any -> any any (flow:to_server,established; content:"rm -rf"; flowbits:isset,in; sid:2;)
        """;

    private static InspectorVerdict Inspect(IExternalInspector inspector, byte[] frame, ref Flow flow, int slot, bool dryRun = false)
    {
        var ctx = new PacketContext(frame, 0, 1_600_000_000_000_000_000);
        Assert.Equal(DropReason.None, FrameDecoder.Decode(frame, ref ctx.Info));
        ctx.FlowSlot = slot;
        ctx.ExistingFlow = true;
        ctx.FromResponder = false;
        ctx.DryRun = dryRun;
        return inspector.Inspect(ref ctx, ref flow);
    }

    private static Flow EstablishedFlow(uint id)
    {
        var key = FlowKey.Create(IpAddr.Parse(Frames.Client), 40000, IpAddr.Parse(Frames.Server), 80, IpProtocol.Tcp, 0, out bool srcIsA);
        return new Flow { Key = key, InitiatorIsA = srcIsA, InUse = true, Id = id, Tcp = TcpState.Established };
    }

    [Fact]
    public void FlowbitsLiveInASideTableKeyedBySlotAndFlowId()
    {
        var set = RuleSet.FromText(Rules);
        IExternalInspector inspector = set.CreateInspector(64);
        Assert.Equal("SNORT Inspect", inspector.Application);
        var flow = EstablishedFlow(7);
        Assert.Equal(InspectorVerdict.Pass, Inspect(inspector, Frames.Tcp("rm -rf /"), ref flow, 3));
        Assert.Equal(InspectorVerdict.Pass, Inspect(inspector, Frames.Tcp("login"), ref flow, 3));
        Assert.Equal(InspectorVerdict.BlockPacket, Inspect(inspector, Frames.Tcp("rm -rf /"), ref flow, 3));
        // The slot reused by a new flow (another id) starts with no bits.
        var next = EstablishedFlow(8);
        Assert.Equal(InspectorVerdict.Pass, Inspect(inspector, Frames.Tcp("rm -rf /"), ref next, 3));
    }

    [Fact]
    public void DryRunChangesNoFlowState()
    {
        var set = RuleSet.FromText(Rules);
        var inspector = set.CreateInspector(64);
        var flow = EstablishedFlow(9);
        Inspect(inspector, Frames.Tcp("login"), ref flow, 5, dryRun: true);
        Assert.Equal(InspectorVerdict.Pass, Inspect(inspector, Frames.Tcp("rm -rf /"), ref flow, 5));
        Inspect(inspector, Frames.Tcp("login"), ref flow, 5);
        // A dry run still reports the verdict and the matched rules (for packet-tracer) but counts nothing.
        Assert.Equal(InspectorVerdict.BlockPacket, Inspect(inspector, Frames.Tcp("rm -rf /"), ref flow, 5, dryRun: true));
        Assert.Equal([2u], inspector.LastMatched.ToArray().Select(r => r.Sid));
        Assert.Equal(0, inspector.Hits[set.Rules.Single(r => r.Sid == 2).Index]);
    }

    [Fact]
    public void NotEstablishedTcpDoesNotMatchEstablishedRules()
    {
        var inspector = RuleSet.FromText(Rules).CreateInspector(64);
        var flow = EstablishedFlow(1);
        flow.Tcp = TcpState.SynSent;
        Inspect(inspector, Frames.Tcp("login"), ref flow, 1);
        flow.Tcp = TcpState.Established;
        Assert.Equal(InspectorVerdict.Pass, Inspect(inspector, Frames.Tcp("rm -rf /"), ref flow, 1));
    }
}
