using Bridge.Io.AfPacket;
using Bridge.Io.Pcap;

namespace Bridge.Daemon.Forwarding;

/// <summary>Host-level settings of the data plane (section <c>Bridge</c> of the .NET configuration).</summary>
public sealed record DataPlaneOptions
{
    /// <summary>Worker threads; each owns one fanout member of every port. 0 = one per processor.</summary>
    public int Workers { get; init; }

    /// <summary>
    /// SCHED_FIFO priority of the worker threads (1–99), or 0 to leave them time-shared. Real-time
    /// workers run as soon as a frame wakes them instead of waiting for the CPU: on a shared box
    /// that is the difference between no ring drops and millisecond stalls (PERFORMANCE.md).
    /// </summary>
    public int WorkerPriority { get; init; } = DefaultWorkerPriority;

    public const int DefaultWorkerPriority = 10;

    /// <summary>CPUs the workers are pinned to, worker i on entry i modulo the count; empty = not pinned.</summary>
    public int[] WorkerCpus { get; init; } = [];

    /// <summary>Flow-table slots per worker.</summary>
    public int FlowTableSize { get; init; } = 65536;

    public AfPacketOptions AfPacket { get; init; } = new();

    public PcapPortOptions Pcap { get; init; } = new();

    /// <summary>How long SIGTERM waits for workers to finish their batch and flush.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public int EffectiveWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;
}

/// <summary>The data plane could not start; the message says what and how to fix it.</summary>
public sealed class DataPlaneStartException(string message, Exception? inner = null) : Exception(message, inner);
