using System.Runtime.InteropServices;

namespace Bridge.Io;

/// <summary>
/// Puts the calling thread under SCHED_FIFO. A time-shared worker woken by a frame waits for the
/// scheduler to take the CPU from whatever runs there (a build, the generator, the control plane)
/// — milliseconds on a busy box, during which its receive ring overflows; a FIFO worker runs at
/// once. The worker sleeps in poll when idle, so it only holds the CPU while there are frames,
/// and the kernel's RT throttling (sched_rt_runtime_us, 95 % by default) still leaves time for
/// everything else under a flood. PERFORMANCE.md has the measurement.
/// </summary>
public static class RealtimeScheduling
{
    private const int SchedOther = 0;
    private const int SchedFifo = 1;
    private const int SchedRr = 2;
    // Threads and processes started from a FIFO worker begin time-shared.
    private const int SchedResetOnFork = 0x4000_0000;
    private const int Eperm = 1;

    public const int MaxPriority = 99;

    /// <summary>
    /// Raises the calling thread to SCHED_FIFO at <paramref name="priority"/> (1–99). Returns null on
    /// success, otherwise why not, in words an operator can act on; the thread then stays time-shared.
    /// </summary>
    public static string? TryRaiseCurrentThread(int priority)
    {
        if (priority is < 1 or > MaxPriority)
            return $"priority {priority} is outside 1-{MaxPriority}";
        int param = priority;
        // pid 0 = the calling thread (Linux schedules threads, not processes).
        if (sched_setscheduler(0, SchedFifo | SchedResetOnFork, ref param) == 0)
            return null;
        int errno = Marshal.GetLastPInvokeError();
        string reason = Marshal.GetPInvokeErrorMessage(errno);
        return errno == Eperm
            ? $"{reason}: needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least {priority} (systemd: LimitRTPRIO={priority}, no RestrictRealtime=)"
            : reason;
    }

    /// <summary>The calling thread's policy and priority as <c>chrt</c> names them, e.g. "SCHED_FIFO 10".</summary>
    public static string DescribeCurrentThread()
    {
        int policy = sched_getscheduler(0) & ~SchedResetOnFork;
        int param = 0;
        sched_getparam(0, ref param);
        return policy switch
        {
            SchedOther => "SCHED_OTHER",
            SchedFifo => $"SCHED_FIFO {param}",
            SchedRr => $"SCHED_RR {param}",
            _ => $"policy {policy}",
        };
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int param);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getscheduler(int pid);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getparam(int pid, ref int param);
}
