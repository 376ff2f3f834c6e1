using Bridge.Pipeline.Core;

namespace Bridge.Pipeline.Stages.Capture;

/// <summary>
/// CAPTURE (ingress): offers the frame, as received, to the capture rings. The egress tap is in
/// TRANSMIT, where the egress frame exists.
/// </summary>
public sealed class CaptureStage : Stage
{
    public override string Type => "CAPTURE";

    private static readonly string[] Info = ["MAC Access list"];

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        var hook = dp.Captures;
        if (hook is null) return StageResult.Continue;
        bool defined = hook.Ingress(ref ctx);
        if (defined && ctx.Trace is not null)
        {
            ctx.Trace.Add(Type, "", true, info: Info);
        }
        return StageResult.Continue;
    }
}
