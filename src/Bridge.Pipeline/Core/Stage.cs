namespace Bridge.Pipeline.Core;

/// <summary>
/// One ASA-style stage. Its <see cref="Type"/> is the FTD phase name: the trace <c>Type:</c>, the
/// counter group and the folder name. Stages hold no per-packet state; per-worker state lives in
/// <see cref="DataPath"/>.
/// </summary>
public abstract class Stage
{
    public abstract string Type { get; }

    public abstract StageResult Process(ref PacketContext ctx, DataPath dp);
}
