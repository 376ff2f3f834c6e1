using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Tests.Support;

/// <summary>
/// A scripted external inspector for testing the EXTERNAL-INSPECT contract: returns the verdict the
/// test chose for packets whose payload starts with a marker, pass otherwise, and counts calls.
/// </summary>
public sealed class ScriptedInspector : IExternalInspector
{
    public string Application => "SNORT Inspect";
    public int Calls { get; private set; }
    public InspectorVerdict OnMarker { get; set; } = InspectorVerdict.Pass;
    public byte[] Marker { get; set; } = "EVIL"u8.ToArray();

    public InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow)
    {
        Calls++;
        var info = ctx.Info;
        if (info.PayloadOffset >= 0 && info.PayloadLength >= Marker.Length &&
            ctx.Frame.Slice(info.PayloadOffset, Marker.Length).SequenceEqual(Marker))
        {
            return OnMarker;
        }
        return InspectorVerdict.Pass;
    }
}
