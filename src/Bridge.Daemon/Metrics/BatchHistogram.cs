using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Bridge.Daemon.Metrics;

/// <summary>
/// One worker's receive-batch statistics as two histograms: frames per batch and the batch's
/// processing time. The worker is the only writer and records once per batch (a few array
/// increments, no allocation, no atomics); the scrape reads the plain arrays racily, which can
/// only miss the batch being recorded. A batch is one turn of the worker loop that received at
/// least one frame: receive from every port, process, flush the transmit queues.
/// </summary>
public sealed class BatchHistogram
{
    /// <summary>Upper bounds of the frame buckets: powers of two up to the largest receive batch the rings hand over.</summary>
    public static readonly double[] FrameBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];

    /// <summary>Upper bounds of the duration buckets, in seconds: 1 µs to 100 ms.</summary>
    public static readonly double[] SecondsBounds = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 1e-1];

    // The same bounds in Stopwatch ticks, so recording compares integers.
    private static readonly long[] TickBounds = Array.ConvertAll(SecondsBounds, s => (long)Math.Ceiling(s * Stopwatch.Frequency));

    // Non-cumulative counts; the last element is the +Inf bucket.
    private readonly long[] _frames = new long[FrameBounds.Length + 1];
    private readonly long[] _durations = new long[SecondsBounds.Length + 1];
    private long _frameSum;
    private long _tickSum;

    /// <summary>Records one batch of <paramref name="frames"/> frames that took <paramref name="ticks"/> Stopwatch ticks. Worker thread only.</summary>
    public void Record(int frames, long ticks)
    {
        // Bucket i holds (2^(i-1), 2^i]: the ceiling of log2.
        int f = frames <= 1 ? 0 : BitOperations.Log2((uint)(frames - 1)) + 1;
        if (f > FrameBounds.Length) f = FrameBounds.Length;
        _frames[f]++;
        _frameSum += frames;

        int d = 0;
        var bounds = TickBounds;
        while (d < bounds.Length && ticks > bounds[d]) d++;
        _durations[d]++;
        _tickSum += ticks;
    }

    /// <summary>A racy copy of the counts (non-cumulative, +Inf last) and sums, for the scrape.</summary>
    public Reading Read()
    {
        var frames = new long[_frames.Length];
        var durations = new long[_durations.Length];
        for (int i = 0; i < frames.Length; i++) frames[i] = Volatile.Read(ref _frames[i]);
        for (int i = 0; i < durations.Length; i++) durations[i] = Volatile.Read(ref _durations[i]);
        return new Reading(frames, Volatile.Read(ref _frameSum), durations, Volatile.Read(ref _tickSum) / (double)Stopwatch.Frequency);
    }

    /// <summary>What <see cref="Read"/> saw: bucket counts (not cumulative, +Inf last) and the sums (frames, seconds).</summary>
    public sealed record Reading(long[] Frames, long FrameSum, long[] Durations, double SecondsSum);

    /// <summary>
    /// Both families in the Prometheus text format, one series set per worker (label
    /// <c>worker</c>): cumulative <c>_bucket{le}</c> ending in <c>+Inf</c>, <c>_sum</c> and
    /// <c>_count</c> (equal to the +Inf bucket, since both come from the same copy).
    /// </summary>
    public static void WriteText(StringBuilder text, IReadOnlyList<BatchHistogram> workers)
    {
        var readings = new Reading[workers.Count];
        for (int w = 0; w < readings.Length; w++) readings[w] = workers[w].Read();
        text.Append("# HELP bridge_worker_batch_frames Frames per receive batch of a worker (one loop turn over its ports that received any).\n");
        text.Append("# TYPE bridge_worker_batch_frames histogram\n");
        for (int w = 0; w < readings.Length; w++)
            WriteSeries(text, "bridge_worker_batch_frames", w, FrameBounds, readings[w].Frames, readings[w].FrameSum);
        text.Append("# HELP bridge_worker_batch_duration_seconds Time a worker spent on one receive batch: receive, pipeline, transmit flush.\n");
        text.Append("# TYPE bridge_worker_batch_duration_seconds histogram\n");
        for (int w = 0; w < readings.Length; w++)
            WriteSeries(text, "bridge_worker_batch_duration_seconds", w, SecondsBounds, readings[w].Durations, readings[w].SecondsSum);
    }

    private static void WriteSeries(StringBuilder text, string name, int worker, double[] bounds, long[] counts, double sum)
    {
        var inv = CultureInfo.InvariantCulture;
        string label = worker.ToString(inv);
        long cumulative = 0;
        for (int i = 0; i <= bounds.Length; i++)
        {
            cumulative += counts[i];
            string le = i < bounds.Length ? bounds[i].ToString("R", inv) : "+Inf";
            text.Append(inv, $"{name}_bucket{{worker=\"{label}\",le=\"{le}\"}} {cumulative}\n");
        }
        text.Append(inv, $"{name}_sum{{worker=\"{label}\"}} {sum.ToString("R", inv)}\n");
        text.Append(inv, $"{name}_count{{worker=\"{label}\"}} {cumulative}\n");
    }
}
