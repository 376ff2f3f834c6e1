using System.Collections.Concurrent;
using System.Diagnostics;
using Bridge.Daemon.Metrics;
using Bridge.Io;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Ports;

namespace Bridge.Daemon.Forwarding;

/// <summary>
/// One data-plane thread. It owns fanout member i of every port, its <see cref="DataPath"/> (flow
/// shard, counters) and nothing else: receive a batch from each port, run every frame through the
/// pipeline in place, flush the transmit batches, and sleep in one poll on all ports when idle.
/// The control plane talks to it only through snapshot swaps and <see cref="Post"/>.
/// </summary>
internal sealed class Worker : IRxHandler, ITransmitter
{
    // Idle poll period: bounds the latency of stop requests, posted work and the heartbeat.
    private const int IdlePollMs = 100;
    // Sweep in small slices: a tenth of a 64 Ki-slot table at once held the frames behind it for
    // tens of microseconds ten times a second, which is what a p99 latency sees.
    private const long SweepIntervalNs = 10_000_000;

    /// <summary>Receive backlog (percent of a ring) at which the rules engine counts as busy…</summary>
    public const int BusyEnterPercent = 75;

    /// <summary>…and below which on every port it counts as keeping up again (hysteresis: no flapping at one mark).</summary>
    public const int BusyLeavePercent = 25;

    private readonly IFramePort[] _ports;
    private readonly ConcurrentQueue<PostedWork> _posted = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private PortWaiter _waiter = null!;
    private int _rxPort;
    private long _nowNs;
    private long _heartbeat;
    private readonly int _priority;
    private readonly int _cpu;

    public Worker(int index, IFramePort[] ports, Func<ITransmitter, DataPath> createDataPath, int priority = 0, int cpu = -1)
    {
        Index = index;
        _priority = priority;
        _cpu = cpu;
        _ports = ports;
        DataPath = createDataPath(this);
        _thread = new Thread(Run) { Name = $"bridge-worker-{index}", IsBackground = true };
    }

    public int Index { get; }

    public DataPath DataPath { get; }

    /// <summary>Frames and time per receive batch, recorded by this worker, read by the metrics scrape.</summary>
    public BatchHistogram Batches { get; } = new();

    /// <summary>This worker's member of each physical port, in port order.</summary>
    public IReadOnlyList<IFramePort> Ports => _ports;

    /// <summary>Advances on every loop turn (at least every 100 ms): the watchdog's proof of life.</summary>
    public long Heartbeat => Volatile.Read(ref _heartbeat);

    /// <summary>Exceptions caught while processing a frame (the frame is lost, the worker goes on).</summary>
    public long FrameFaults => Volatile.Read(ref _frameFaults);
    private long _frameFaults;

    /// <summary>The last such exception, for the log (read by the control plane).</summary>
    public Exception? LastFault { get; private set; }

    /// <summary>Set when the loop itself ended on an exception: the worker is dead.</summary>
    public Exception? Fatal { get; private set; }

    public bool IsAlive => _thread.IsAlive;

    /// <summary>How the thread is scheduled ("SCHED_FIFO 10", "SCHED_OTHER"); set once the loop has started.</summary>
    public string Scheduling { get; private set; } = "";

    /// <summary>Why the configured real-time priority or CPU could not be taken, or null.</summary>
    public string? SchedulingError { get; private set; }

    /// <summary>The CPUs the thread may run on, taskset-style ("1", "0-1"); set once the loop has started.</summary>
    public string Cpus { get; private set; } = "";

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the thread has set its scheduling and entered the loop.</summary>
    public Task Started => _started.Task;

    public void Start() => _thread.Start();

    /// <summary>Asks the loop to finish its batch, flush and return; waits up to <paramref name="timeout"/>.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stopping = true;
        return !_thread.IsAlive || _thread.Join(timeout);
    }

    /// <summary>
    /// Puts a newly opened member of port <paramref name="physPort"/> in place of the old one (the
    /// device was re-created). Must run on this worker's thread (<see cref="Post"/>): the loop
    /// reads the port array and the waiter without locks.
    /// </summary>
    public void ReplacePort(int physPort, IFramePort port)
    {
        _ports[physPort].Flush();
        _ports[physPort] = port;
        _waiter = new PortWaiter(_ports);
    }

    /// <summary>Queues work to run on this worker's thread between batches.</summary>
    public Task Post(Action<DataPath> action, CancellationToken cancellationToken)
    {
        var work = new PostedWork(action, cancellationToken);
        if (!_thread.IsAlive)
        {
            // Not started yet or already stopped: nothing runs concurrently, so run it here.
            work.Run(DataPath);
        }
        else
        {
            _posted.Enqueue(work);
        }
        return work.Completion.Task;
    }

    private void Run()
    {
        TakeScheduling();
        _started.TrySetResult();
        _waiter = new PortWaiter(_ports);
        long nextSweepNs = 0;
        long lastSweepNs = 0;
        try
        {
            while (!_stopping)
            {
                // Before the batch: work posted while the loop slept (a new rules engine, a
                // replaced port) applies to the frames that woke it.
                if (!_posted.IsEmpty)
                    RunPosted();
                _nowNs = UnixClock.NowNs();
                DataPath.EngineBusy = Behind(DataPath.EngineBusy);
                long batchStart = Stopwatch.GetTimestamp();
                int received = 0;
                for (int p = 0; p < _ports.Length; p++)
                {
                    _rxPort = p;
                    int n = _ports[p].Receive(this, 0);
                    if (n > 0)
                        received += n;
                }
                for (int p = 0; p < _ports.Length; p++)
                    _ports[p].Flush();
                if (received > 0)
                    Batches.Record(received, Stopwatch.GetTimestamp() - batchStart);

                _heartbeat++;
                if (_nowNs >= nextSweepNs)
                {
                    // The share of the table that the time since the last sweep is of a second (a
                    // hundredth when busy, a tenth after an idle poll): every flow is looked at once a second.
                    int capacity = DataPath.Flows.Capacity;
                    long share = lastSweepNs == 0 ? capacity : capacity * Math.Min(_nowNs - lastSweepNs, 1_000_000_000) / 1_000_000_000;
                    DataPath.Sweep(_nowNs, (int)share + 1);
                    lastSweepNs = _nowNs;
                    nextSweepNs = _nowNs + SweepIntervalNs;
                }
                if (received == 0)
                    _waiter.Wait(IdlePollMs);
            }
        }
        catch (Exception e)
        {
            Fatal = e;
        }
        finally
        {
            foreach (var port in _ports)
                port.Flush();
            RunPosted();
        }
    }

    // Before the loop and outside its handler: a failure here must cost the real-time priority,
    // never the thread (an exception escaping a thread ends the process).
    private void TakeScheduling()
    {
        try
        {
            if (_cpu >= 0 && RealtimeScheduling.TryPinCurrentThread(_cpu) is { } pinError)
                SchedulingError = $"CPU {_cpu} refused: {pinError}";
            if (_priority > 0 && RealtimeScheduling.TryRaiseCurrentThread(_priority) is { } fifoError)
                SchedulingError = (SchedulingError is null ? "" : SchedulingError + "; ") + $"SCHED_FIFO {_priority} refused: {fifoError}";
            Scheduling = RealtimeScheduling.DescribeCurrentThread();
            Cpus = RealtimeScheduling.DescribeCurrentAffinity();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            SchedulingError = $"no scheduler interface: {e.Message}";
            Scheduling = "unknown";
        }
    }

    /// <summary>
    /// Once per batch: busy when any port's ring is filled past <see cref="BusyEnterPercent"/>, no
    /// longer busy when every port is below <see cref="BusyLeavePercent"/>.
    /// </summary>
    private bool Behind(bool busy)
    {
        int mark = busy ? BusyLeavePercent : BusyEnterPercent;
        for (int p = 0; p < _ports.Length; p++)
        {
            if (_ports[p].BacklogAtLeast(mark))
                return true;
        }
        return false;
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var work))
            work.Run(DataPath);
    }

    public void OnFrame(Span<byte> frame, long timestampNs)
    {
        try
        {
            DataPath.Process(frame, _rxPort, _nowNs);
        }
        catch (Exception e)
        {
            // A bug must cost one frame, not the bridge: count it, keep the worker running. The
            // stages' own faults are caught inside DataPath; this is the rest (decode, counting).
            _frameFaults++;
            LastFault = e;
            DataPath.FrameDrops[(int)DropReason.InternalError]++;
        }
    }

    public void Transmit(int physPort, ReadOnlySpan<byte> frame)
    {
        _ports[physPort].Send(frame);
    }

    public bool IsLinkUp(int physPort) => _ports[physPort].LinkUp;

    private sealed class PostedWork(Action<DataPath> action, CancellationToken cancellationToken)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(DataPath dataPath)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Completion.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                action(dataPath);
                Completion.TrySetResult();
            }
            catch (Exception e)
            {
                Completion.TrySetException(e);
            }
        }
    }
}
