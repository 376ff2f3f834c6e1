using Bridge.Pipeline.Core;

namespace Bridge.Pipeline.Stages;

/// <summary>The one place that says in which order the stages run (DESIGN.md, ftd-reference §9.4).</summary>
public static class StageOrder
{
    public static Stage[] Create() =>
    [
        new Capture.CaptureStage(),
        new AccessListMac.AccessListMacStage(),
        new L2EgressIfcLookup.L2EgressIfcLookupStage(),
        new FlowLookup.FlowLookupStage(),
        new AccessList.AccessListStage(),
        new ConnSettings.ConnSettingsStage(),
        new IpOptions.IpOptionsStage(),
        new Inspect.InspectStage(),
        new FlowCreation.FlowCreationStage(),
        new ExternalInspect.ExternalInspectStage(),
        new Transmit.TransmitStage(),
    ];
}
