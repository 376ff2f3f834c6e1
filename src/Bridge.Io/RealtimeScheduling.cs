using System.Runtime.InteropServices;

namespace Bridge.Io;

/// <summary>
/// Scheduling of data-plane threads: SCHED_FIFO and CPU pinning. Puts the calling thread under SCHED_FIFO. A time-shared worker woken by a frame waits for the
/// scheduler to take the CPU from whatever runs there (a build, the generator, the control plane)
/// — milliseconds on a busy box, during which its receive ring overflows; a FIFO worker runs at
/// once. The worker sleeps in poll when idle, so it only holds the CPU while there are frames,
/// and the kernel's RT throttling (sched_rt_runtime_us, 95 % by default) still leaves time for
/// everything else under a flood. Pinning keeps a worker off the CPUs that carry other load (a
/// traffic generator, interrupts) as VPP and Suricata do with worker core lists. PERFORMANCE.md
/// has the measurements.
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

    /// <summary>
    /// Parses a CPU list as taskset and the kernel's cpuset files write it ("1", "0-3", "2,4-5").
    /// Returns null and says why for anything else.
    /// </summary>
    public static int[]? ParseCpuList(string text, out string? error)
    {
        var cpus = new List<int>();
        error = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            string low = dash < 0 ? part : part[..dash];
            string high = dash < 0 ? part : part[(dash + 1)..];
            bool ok = int.TryParse(low, System.Globalization.NumberStyles.None, null, out int first)
                & int.TryParse(high, System.Globalization.NumberStyles.None, null, out int last);
            if (!ok || last < first || last >= MaxCpus)
            {
                error = $"'{part}' is not a CPU number or range (e.g. 1 or 2-3) below {MaxCpus}";
                return null;
            }
            for (int c = first; c <= last; c++)
            {
                if (!cpus.Contains(c))
                    cpus.Add(c);
            }
        }
        return cpus.ToArray();
    }

    /// <summary>Binds the calling thread to one CPU. Returns null on success, otherwise why not.</summary>
    public static string? TryPinCurrentThread(int cpu)
    {
        if (cpu is < 0 or >= MaxCpus)
            return $"CPU {cpu} is outside 0-{MaxCpus - 1}";
        Span<ulong> mask = stackalloc ulong[MaxCpus / 64];
        mask[cpu / 64] = 1UL << (cpu % 64);
        if (sched_setaffinity(0, (nint)(mask.Length * sizeof(ulong)), ref MemoryMarshal.GetReference(mask)) == 0)
            return null;
        return Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
    }

    /// <summary>The CPUs the calling thread may run on, as a taskset-style list ("1", "0-1").</summary>
    public static string DescribeCurrentAffinity()
    {
        Span<ulong> mask = stackalloc ulong[MaxCpus / 64];
        if (sched_getaffinity(0, (nint)(mask.Length * sizeof(ulong)), ref MemoryMarshal.GetReference(mask)) < 0)
            return "?";
        var parts = new List<string>();
        for (int c = 0; c < MaxCpus; c++)
        {
            if ((mask[c / 64] & (1UL << (c % 64))) == 0)
                continue;
            int end = c;
            while (end + 1 < MaxCpus && (mask[(end + 1) / 64] & (1UL << ((end + 1) % 64))) != 0)
                end++;
            parts.Add(end == c ? $"{c}" : $"{c}-{end}");
            c = end;
        }
        return string.Join(',', parts);
    }

    /// <summary>Size of the affinity masks this class passes (the glibc default cpu_set_t).</summary>
    public const int MaxCpus = 1024;

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint size, ref ulong mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int param);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getscheduler(int pid);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getparam(int pid, ref int param);
}
