using Bridge.Daemon.Forwarding;
using Bridge.Daemon.Tests.Support;
using Bridge.Io;
using Bridge.Pipeline.Config;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Daemon.Tests.Forwarding;

/// <summary>The data plane's control side: start refusals, reload rules and worker hand-offs, on real veths in a namespace.</summary>
public sealed class DataPlaneTests : IDisposable
{
    private const string TwoPorts = """
        interface dp-in
         nameif INSIDE
         bridge-group 1
        !
        interface dp-out
         nameif OUTSIDE
         bridge-group 1
        !
        access-list ALLOW extended permit ip any any
        access-group ALLOW global
        """;

    private readonly VethNamespace _ns = new("bdt", "dp-in", "dp-out");
    private readonly string _dir = Directory.CreateTempSubdirectory("bdt-").FullName;

    public void Dispose()
    {
        _ns.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private DataPlane Create(string text, int workers = 2, int priority = DataPlaneOptions.DefaultWorkerPriority, int[]? cpus = null)
    {
        string path = Path.Combine(_dir, "bridge.conf");
        File.WriteAllText(path, text);
        return new DataPlane(BridgeConfig.Load(path), path,
            new DataPlaneOptions { Workers = workers, FlowTableSize = 4096, WorkerPriority = priority, WorkerCpus = cpus ?? [] },
            NullLogger<DataPlane>.Instance);
    }

    private void StartInNamespace(DataPlane plane)
    {
        using (NetworkNamespace.Enter(_ns.Name))
            plane.Start();
    }

    [Fact]
    public void Start_without_any_nameif_says_how_to_start_the_lab()
    {
        using var plane = Create("hostname fw\n");
        var e = Assert.Throws<DataPlaneStartException>(plane.Start);
        Assert.Contains("nothing to bridge", e.Message);
        Assert.Contains("scripts/lab up", e.Message);
    }

    [Fact]
    public void Start_on_a_missing_device_names_it()
    {
        using var plane = Create(TwoPorts.Replace("dp-out", "dp-nosuch"));
        var e = Assert.Throws<DataPlaneStartException>(() => StartInNamespace(plane));
        Assert.Contains("dp-nosuch", e.Message);
    }

    [Fact]
    public async Task Start_prepares_the_nics_and_every_worker_turns_and_runs_posted_work_on_its_own_thread()
    {
        using var plane = Create(TwoPorts);
        StartInNamespace(plane);
        string flags = _ns.Exec("ip", "link", "show", "dp-in");
        Assert.Contains("PROMISC", flags);
        Assert.Contains(",UP", flags);
        Assert.Equal(2, plane.Workers.Count);
        Assert.Equal(2, plane.Ports.Count);
        Assert.All(plane.Ports, p => Assert.Equal(2, p.Members));

        var threads = new System.Collections.Concurrent.ConcurrentBag<string>();
        await plane.RunOnWorkers(_ => threads.Add(Thread.CurrentThread.Name ?? "")).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["bridge-worker-0", "bridge-worker-1"], threads.Order());
        Assert.Equal("bridge-worker-1", await plane.RunOnWorker(1, dp => Thread.CurrentThread.Name + (dp.WorkerIndex == 1 ? "" : "?")));

        plane.CheckHealth(out _);
        Thread.Sleep(300);
        Assert.True(plane.CheckHealth(out string problem), problem);
        plane.Stop();
        Assert.False(plane.CheckHealth(out problem));
        Assert.Contains("Interface INSIDE", plane.StoppedReport);
    }

    [Theory]
    [InlineData(DataPlaneOptions.DefaultWorkerPriority, "SCHED_FIFO 10", "SCHED_FIFO|SCHED_RESET_ON_FORK", "10")]
    [InlineData(0, "SCHED_OTHER", "SCHED_OTHER", "0")]
    public async Task Workers_run_with_the_configured_real_time_priority(int priority, string expected, string chrtPolicy, string chrtPriority)
    {
        using var plane = Create(TwoPorts, priority: priority);
        StartInNamespace(plane);
        Assert.Equal([expected, expected], plane.WorkerScheduling);
        Assert.Contains($"2 worker(s) {expected}", plane.Describe());
        // chrt is the oracle: the kernel's view of each worker thread.
        var tids = new System.Collections.Concurrent.ConcurrentBag<int>();
        await plane.RunOnWorkers(_ => tids.Add(gettid())).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, tids.Count);
        foreach (int tid in tids)
        {
            string chrt = VethNamespace.Run("chrt", "-p", tid.ToString());
            Assert.Contains($"policy: {chrtPolicy}", chrt);
            Assert.Contains($"priority: {chrtPriority}", chrt);
        }
    }

    [Fact]
    public async Task Workers_are_pinned_to_the_listed_cpus_in_turn()
    {
        int last = Environment.ProcessorCount - 1;
        using var plane = Create(TwoPorts, workers: 2, cpus: [last]);
        StartInNamespace(plane);
        Assert.Equal([$"{last}", $"{last}"], plane.WorkerCpus);
        var tids = new System.Collections.Concurrent.ConcurrentBag<int>();
        await plane.RunOnWorkers(_ => tids.Add(gettid())).WaitAsync(TimeSpan.FromSeconds(5));
        foreach (int tid in tids)
            Assert.EndsWith($"current affinity list: {last}", VethNamespace.Run("taskset", "-pc", tid.ToString()).Trim());
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int gettid();

    [Fact]
    public void Reload_of_a_bad_file_keeps_the_running_config_and_names_file_and_line()
    {
        using var plane = Create(TwoPorts);
        var before = plane.Snapshot;
        File.WriteAllText(plane.ConfigPath, TwoPorts + "\naccess-list ALLOW extended permit ip any nowhere\n");
        var result = plane.Reload();
        Assert.False(result.Applied);
        Assert.Contains($"{plane.ConfigPath}:11:", result.Message);
        Assert.Contains("unchanged", result.Message);
        Assert.Same(before, plane.Snapshot);
    }

    [Fact]
    public void Reload_swaps_a_changed_access_list_into_running_workers_and_refuses_a_device_change()
    {
        using var plane = Create(TwoPorts);
        StartInNamespace(plane);
        File.WriteAllText(plane.ConfigPath, TwoPorts.Replace("permit ip any any", "deny ip any any"));
        var applied = plane.Reload();
        Assert.True(applied.Applied, applied.Message);
        Assert.All(plane.Workers, w => Assert.Same(plane.Snapshot, w.Snapshot));
        Assert.Contains("deny ip any any", plane.Snapshot.Config.ToText("access-list"));

        var before = plane.Snapshot;
        File.WriteAllText(plane.ConfigPath, TwoPorts.Replace("dp-out", "dp-other"));
        var refused = plane.Reload();
        Assert.False(refused.Applied);
        Assert.Contains("restart bridged", refused.Message);
        Assert.Same(before, plane.Snapshot);
        plane.Stop();
    }

    [Fact]
    public async Task A_device_deleted_and_created_again_is_reported_and_opened_again()
    {
        using var plane = Create(TwoPorts);
        StartInNamespace(plane);
        _ns.Exec("ip", "link", "del", "dp-out");
        await CheckDevicesInNamespace(plane);
        Assert.False(plane.Ports[1].Present);
        Assert.False(plane.Ports[1].LinkUp);

        _ns.Exec("ip", "link", "add", "dp-out", "type", "veth", "peer", "name", "dp-out-p");
        _ns.Exec("ip", "link", "set", "dp-out-p", "up");
        await CheckDevicesInNamespace(plane);
        var status = plane.Ports[1];
        Assert.True(status.Present);
        Assert.Equal(1, status.Rebinds);
        Assert.Contains("PROMISC", _ns.Exec("ip", "link", "show", "dp-out"));
        // Every worker now reads the new device: its member is bound to the new ifindex.
        string ifindex = _ns.Exec("cat", "/sys/class/net/dp-out/ifindex").Trim();
        foreach (var w in Enumerable.Range(0, plane.Workers.Count))
            Assert.Equal(ifindex, await plane.RunOnWorker(w, _ => plane.WorkerPortIfIndex(w, 1).ToString()));
        plane.Stop();
    }

    // setns is per thread: the part of the check that queries and opens devices runs before its
    // first await, on this thread, inside the namespace; the scope ends before anything awaits.
    private Task CheckDevicesInNamespace(DataPlane plane)
    {
        using (NetworkNamespace.Enter(_ns.Name))
            return plane.CheckDevicesAsync();
    }
}
