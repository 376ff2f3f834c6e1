namespace Bridge.Packets.Tests;

/// <summary>Zero bytes per decoded frame is a contract of the data path, checked here.</summary>
public class DecoderAllocationTests
{
    [Fact]
    public void Decode_allocates_nothing()
    {
        var frames = SampleFrames.All().Select(s => s.Frame).ToArray();
        // Malformed frames take the early-return paths; include them too.
        var damaged = frames.Select(f => f.AsSpan(0, f.Length / 2).ToArray()).ToArray();
        var info = default(FrameInfo);
        int drops = Run(frames, damaged, ref info, 1000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        drops += Run(frames, damaged, ref info, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(drops > 0, "no malformed path was exercised");
    }

    private static int Run(byte[][] frames, byte[][] damaged, ref FrameInfo info, int rounds)
    {
        int drops = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < frames.Length; i++)
            {
                info.Reset();
                FrameDecoder.Decode(frames[i], ref info);
                info.Reset();
                if (FrameDecoder.Decode(damaged[i], ref info) != DropReason.None) drops++;
            }
        }
        return drops;
    }
}
