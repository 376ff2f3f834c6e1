using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Trace;

namespace Bridge.Fuzz.Targets;

/// <summary>
/// <c>frame</c>: one wire frame through <see cref="FrameDecoder"/> and a whole <see cref="DataPath"/>
/// over the lab configuration (VLAN 1577 on port 0, untagged port 1, the seed's access-list).
/// Input: byte 0 is a control byte (bit 0 = ingress port, bit 1 = dry run, bit 2 = traced and
/// rendered), the rest is the frame. The data path lives across inputs, as a worker's does, so
/// flows and MAC entries built by earlier inputs are in play.
/// Expected: nothing throws; every frame ends forwarded or dropped under a reason, and the
/// frame-section drop counters account for the decoder's verdict.
/// </summary>
internal sealed class FrameTarget : IFuzzTarget
{
    private sealed class CountingTransmitter : ITransmitter
    {
        public long Frames;

        public void Transmit(int physPort, ReadOnlySpan<byte> frame) => Frames++;

        public bool IsLinkUp(int physPort) => true;
    }

    private readonly DataPath _path;
    private readonly byte[] _buffer = new byte[9216 + 64];
    private long _now = 1_700_000_000L * 1_000_000_000;

    public FrameTarget(string labConfig)
    {
        _path = new DataPath(RuntimeSnapshot.Build(BridgeConfig.Parse(labConfig, "lab.conf")), new MacTable(), new CountingTransmitter(), 0, 1, 4096);
    }

    public string Name => "frame";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        byte control = input[0];
        var frame = input[1..];
        if (frame.Length > _buffer.Length) frame = frame[.._buffer.Length];

        var info = default(FrameInfo);
        info.Reset();
        var decoded = FrameDecoder.Decode(frame, ref info);

        frame.CopyTo(_buffer);
        // Advance the clock so that flow and MAC ageing run too.
        _now += 50_000_000;
        var trace = (control & 4) != 0 ? new TraceSink() : null;
        var outcome = _path.Process(_buffer.AsSpan(0, frame.Length), control & 1, _now, trace, dryRun: (control & 2) != 0);
        if (decoded != DropReason.None && outcome.Drop == DropReason.None)
            throw new FuzzInvariantException($"decoder refused the frame ({decoded}) but the pipeline forwarded it");
        if (trace is not null && TraceRenderer.Render(trace).Length == 0)
            throw new FuzzInvariantException("a traced frame rendered an empty trace");
    }
}
