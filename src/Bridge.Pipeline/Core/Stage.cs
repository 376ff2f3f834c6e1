namespace Bridge.Pipeline.Core;

/// <summary>
/// One ASA-style stage. Its <see cref="Type"/> is the FTD phase name: the trace <c>Type:</c>, the
/// counter group and the folder name. Stages hold no per-packet state; per-worker state lives in
/// <see cref="DataPath"/>.
/// </summary>
public abstract class Stage
{
    public abstract string Type { get; }

    /// <summary>
    /// The stage judges the first packet of a connection only and returns at once, with no trace
    /// phase and no counter, when FLOW-LOOKUP found the connection; the data path then skips it.
    /// </summary>
    public virtual bool FirstPacketOnly => false;

    public abstract StageResult Process(ref PacketContext ctx, DataPath dp);
}
