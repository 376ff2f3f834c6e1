#if FAULT_INJECTION
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Faults;

/// <summary>The fault hook is one static for the process: its tests never run beside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultHookCollection
{
    public const string Name = "fault hook";
}

/// <summary>
/// An exception inside a stage (injected through <see cref="FaultHook"/>, which Debug test builds
/// have) costs exactly that packet, dropped as internal-error and counted; the data path goes on.
/// </summary>
[Collection(FaultHookCollection.Name)]
public sealed class StageFaultTests : IDisposable
{
    public void Dispose() => FaultHook.Disarm();

    [Theory]
    [InlineData("FLOW-LOOKUP")]
    [InlineData("ACCESS-LIST")]
    [InlineData("TRANSMIT")]
    public void Three_armed_faults_cost_three_packets_and_the_fourth_passes(string stage)
    {
        var bed = new TestBed();
        FaultHook.Arm(stage, 3);
        for (ushort seq = 0; seq < 3; seq++)
            Assert.Equal(DropReason.InternalError, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, seq)).Drop);
        Assert.Null(FaultHook.ArmedStage);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 3)).Drop);
        Assert.Equal(3, bed.Path.StageFaults);
        Assert.Equal(3, bed.Path.FrameDrops[(int)DropReason.InternalError]);
        Assert.Equal(3, bed.Path.Interfaces[0].Dropped);
        Assert.IsType<InjectedFaultException>(bed.Path.LastFault);
        Assert.Single(bed.Sent);
    }

    [Fact]
    public void The_trace_of_a_faulted_packet_says_where_and_why()
    {
        var bed = new TestBed();
        FaultHook.Arm("ACCESS-LIST", 1);
        var trace = new TraceSink();
        bed.Send(TestBed.Inside, TestBed.EchoRequest(7, 0), trace: trace);
        string text = TraceRenderer.Render(trace);
        Assert.Contains("Type: INTERNAL-ERROR", text);
        Assert.Contains("injected fault in stage ACCESS-LIST", text);
        Assert.Contains("Drop-reason: (internal-error) Internal error while processing the packet", text);
    }

    [Fact]
    public void Dry_runs_neither_trigger_nor_consume_faults()
    {
        var bed = new TestBed();
        FaultHook.Arm("FLOW-LOOKUP", 1);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 0), dryRun: true).Drop);
        Assert.Equal(1, FaultHook.Remaining);
        Assert.Equal(0, bed.Path.StageFaults);
    }

    [Fact]
    public void A_snort_fault_is_an_engine_fault_under_the_failure_policy()
    {
        var bed = new TestBed(TestBed.SeedConfig + "\nsnort rules lab.rules\n");
        bed.Path.Inspector = new ScriptedInspector();
        FaultHook.Arm("SNORT", 2);
        Assert.Equal(DropReason.SnortDown, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 0)).Drop);
        Assert.Equal(DropReason.SnortDown, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 1)).Drop);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, TestBed.EchoRequest(1, 2)).Drop);
        Assert.Equal(0, bed.Path.StageFaults);
        Assert.Equal(2, bed.Drops(DropReason.SnortDown));
    }
}
#endif
