using System.Runtime.InteropServices;
using Bridge.Io;

namespace Bridge.Io.Tests;

/// <summary>SCHED_FIFO for worker threads: taken when allowed, refused with a reason an operator can act on.</summary>
public sealed class RealtimeSchedulingTests
{
    [Fact]
    public void A_thread_is_raised_to_fifo_at_the_priority_asked()
    {
        var (error, described) = OnOwnThread(() => (RealtimeScheduling.TryRaiseCurrentThread(7), RealtimeScheduling.DescribeCurrentThread()));
        Assert.Null(error);
        Assert.Equal("SCHED_FIFO 7", described);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void A_priority_outside_1_to_99_is_refused_and_the_thread_stays_time_shared(int priority)
    {
        var (error, described) = OnOwnThread(() => (RealtimeScheduling.TryRaiseCurrentThread(priority), RealtimeScheduling.DescribeCurrentThread()));
        Assert.Equal($"priority {priority} is outside 1-99", error);
        Assert.Equal("SCHED_OTHER", described);
    }

    [Fact]
    public void Without_cap_sys_nice_the_refusal_says_what_to_grant()
    {
        // Capabilities are per thread: this one drops CAP_SYS_NICE from its effective set, as the
        // service user without LimitRTPRIO would be. RLIMIT_RTPRIO (process-wide) must be below the ask.
        int priority = Math.Min(RealtimeScheduling.MaxPriority, RtprioLimit() + 1);
        var (error, described) = OnOwnThread(() =>
        {
            DropEffectiveCapability(CapSysNice);
            return (RealtimeScheduling.TryRaiseCurrentThread(priority), RealtimeScheduling.DescribeCurrentThread());
        });
        Assert.NotNull(error);
        Assert.Contains("needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least", error);
        Assert.Contains($"LimitRTPRIO={priority}", error);
        Assert.Equal("SCHED_OTHER", described);
    }

    [Theory]
    [InlineData("1", new[] { 1 })]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("2, 4-5,2", new[] { 2, 4, 5 })]
    public void Cpu_lists_read_as_taskset_writes_them(string text, int[] expected)
    {
        Assert.Equal(expected, RealtimeScheduling.ParseCpuList(text, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("3-1")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("1024")]
    public void A_cpu_list_that_is_not_one_names_the_bad_part(string text)
    {
        Assert.Null(RealtimeScheduling.ParseCpuList(text, out string? error));
        Assert.Contains("is not a CPU number or range", error);
    }

    [Fact]
    public void A_thread_pinned_to_a_cpu_runs_there_alone()
    {
        int cpu = Environment.ProcessorCount - 1;
        var (error, cpus, running) = OnOwnThread(() =>
        {
            string? e = RealtimeScheduling.TryPinCurrentThread(cpu);
            Thread.Yield();
            return (e, RealtimeScheduling.DescribeCurrentAffinity(), sched_getcpu());
        });
        Assert.Null(error);
        Assert.Equal(cpu.ToString(), cpus);
        Assert.Equal(cpu, running);
        // The test host's own threads keep all CPUs.
        Assert.Equal(Environment.ProcessorCount == 1 ? "0" : $"0-{Environment.ProcessorCount - 1}", RealtimeScheduling.DescribeCurrentAffinity());
    }

    [DllImport("libc")]
    private static extern int sched_getcpu();

    private static T OnOwnThread<T>(Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { result = body(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("thread failed", failure);
    }

    private const int CapSysNice = 23;
    private const uint CapabilityVersion3 = 0x2008_0522;

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    private static void DropEffectiveCapability(int capability)
    {
        var header = new CapHeader { Version = CapabilityVersion3 };
        var data = new CapData[2];
        if (capget(ref header, data) != 0)
            throw new InvalidOperationException($"capget: errno {Marshal.GetLastPInvokeError()}");
        data[capability / 32].Effective &= ~(1u << (capability % 32));
        if (capset(ref header, data) != 0)
            throw new InvalidOperationException($"capset: errno {Marshal.GetLastPInvokeError()}");
    }

    private static int RtprioLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max realtime priority", StringComparison.Ordinal))
                continue;
            string soft = line["Max realtime priority".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return soft == "unlimited" ? RealtimeScheduling.MaxPriority : int.Parse(soft);
        }
        return 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int capget(ref CapHeader header, [In, Out] CapData[] data);

    [DllImport("libc", SetLastError = true)]
    private static extern int capset(ref CapHeader header, [In] CapData[] data);
}
