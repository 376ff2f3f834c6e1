namespace Bridge.Pipeline.Tests.Support;

/// <summary>
/// What a loop allocates on this thread once the runtime has settled. Tiered compilation and
/// on-stack replacement can allocate on the running thread while a method is recompiled, which on
/// a loaded box may still happen after any fixed warm-up; a real allocation in the code under test
/// shows in every attempt, so the least of a few attempts is the honest figure.
/// </summary>
internal static class SteadyState
{
    public static long AllocatedBytes(Action loop, int attempts = 5)
    {
        long least = long.MaxValue;
        for (int a = 0; a < attempts && least != 0; a++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            loop();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
