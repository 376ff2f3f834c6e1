using System.Runtime.CompilerServices;
using Bridge.Pipeline.Core;

namespace Bridge.Pipeline.Stages;

/// <summary>The one place that says in which order the stages run (DESIGN.md, ftd-reference §9.4).</summary>
public static class StageOrder
{
    public static Stage[] Create() => new StagePipeline().All;
}

/// <summary>
/// One worker's stage instances and the run over them, in <see cref="StageOrder"/>. Each stage is
/// held by its own sealed type and called directly: a loop over a <see cref="Stage"/> array paid an
/// indirect call per stage, ~10 % of an established packet. <see cref="All"/> lists the same
/// instances in the same order for whoever enumerates the stages.
/// </summary>
internal sealed class StagePipeline
{
    private readonly Capture.CaptureStage _capture = new();
    private readonly AccessListMac.AccessListMacStage _accessListMac = new();
    private readonly L2EgressIfcLookup.L2EgressIfcLookupStage _l2EgressIfcLookup = new();
    private readonly FlowLookup.FlowLookupStage _flowLookup = new();
    private readonly AccessList.AccessListStage _accessList = new();
    private readonly ConnSettings.ConnSettingsStage _connSettings = new();
    private readonly IpOptions.IpOptionsStage _ipOptions = new();
    private readonly Inspect.InspectStage _inspect = new();
    private readonly FlowCreation.FlowCreationStage _flowCreation = new();
    private readonly ExternalInspect.ExternalInspectStage _externalInspect = new();
    private readonly Transmit.TransmitStage _transmit = new();

    public StagePipeline()
    {
        All =
        [
            _capture, _accessListMac, _l2EgressIfcLookup, _flowLookup, _accessList, _connSettings,
            _ipOptions, _inspect, _flowCreation, _externalInspect, _transmit,
        ];
    }

    /// <summary>The stages in the order <see cref="Run"/> calls them.</summary>
    public Stage[] All { get; }

    /// <summary>Runs the packet through every stage until one drops it.</summary>
    public void Run(ref PacketContext ctx, DataPath dp)
    {
        if (Drops(_capture, ref ctx, dp)
            || Drops(_accessListMac, ref ctx, dp)
            || Drops(_l2EgressIfcLookup, ref ctx, dp)
            || Drops(_flowLookup, ref ctx, dp)
            || Drops(_accessList, ref ctx, dp)
            || Drops(_connSettings, ref ctx, dp)
            || Drops(_ipOptions, ref ctx, dp)
            || Drops(_inspect, ref ctx, dp)
            || Drops(_flowCreation, ref ctx, dp)
            || Drops(_externalInspect, ref ctx, dp))
        {
            return;
        }
        Drops(_transmit, ref ctx, dp);
    }

    // Inlined for each concrete (sealed) stage type, so Process and FirstPacketOnly bind statically.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Drops<TStage>(TStage stage, ref PacketContext ctx, DataPath dp) where TStage : Stage
    {
#if FAULT_INJECTION
        if (!ctx.DryRun) FaultHook.Hit(stage.Type);
#endif
        // A stage that only judges first packets has nothing to do once FLOW-LOOKUP found the connection.
        if (stage.FirstPacketOnly && ctx.ExistingFlow) return false;
        return stage.Process(ref ctx, dp) == StageResult.Drop;
    }
}
