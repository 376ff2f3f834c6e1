using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Commands.Show;

/// <summary>
/// The 1- and 5-minute rates of <c>show interface</c>: samples of every nameif's software counters
/// (summed over workers), taken every few seconds by the admin server, kept for a little over five
/// minutes. A rate is the difference between the newest sample and the oldest one inside the
/// window, divided by the time between them.
/// </summary>
public sealed class InterfaceRateMeter
{
    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, InterfaceCounters[] Counters)> _samples = new();
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30);

    public static InterfaceCounters[] Totals(IBridgeRuntime runtime)
    {
        int n = runtime.Snapshot.Interfaces.Count;
        var totals = new InterfaceCounters[n];
        foreach (var w in runtime.Workers)
        {
            for (int i = 0; i < n && i < w.Interfaces.Length; i++)
            {
                ref var c = ref w.Interfaces[i];
                totals[i].PacketsIn += Volatile.Read(ref c.PacketsIn);
                totals[i].BytesIn += Volatile.Read(ref c.BytesIn);
                totals[i].PacketsOut += Volatile.Read(ref c.PacketsOut);
                totals[i].BytesOut += Volatile.Read(ref c.BytesOut);
                totals[i].Dropped += Volatile.Read(ref c.Dropped);
            }
        }
        return totals;
    }

    public void Sample(IBridgeRuntime runtime, DateTimeOffset now)
    {
        var totals = Totals(runtime);
        lock (_gate)
        {
            _samples.Enqueue((now, totals));
            while (_samples.Count > 0 && now - _samples.Peek().At > Keep) _samples.Dequeue();
        }
    }

    /// <summary>Per-second rates of interface <paramref name="index"/> over <paramref name="window"/>: packets in, bytes in, packets out, bytes out, drops.</summary>
    public (long PktsIn, long BytesIn, long PktsOut, long BytesOut, long Drops) Rate(int index, TimeSpan window)
    {
        lock (_gate)
        {
            if (_samples.Count < 2) return default;
            (DateTimeOffset At, InterfaceCounters[] Counters)? oldest = null, newest = null;
            foreach (var s in _samples) newest = s;
            foreach (var s in _samples)
            {
                if (newest!.Value.At - s.At <= window)
                {
                    oldest = s;
                    break;
                }
            }
            if (oldest is null || newest is null || index >= oldest.Value.Counters.Length || index >= newest.Value.Counters.Length) return default;
            double secs = (newest.Value.At - oldest.Value.At).TotalSeconds;
            if (secs <= 0) return default;
            var a = oldest.Value.Counters[index];
            var b = newest.Value.Counters[index];
            long Per(long d) => (long)(Math.Max(0, d) / secs);
            return (Per(b.PacketsIn - a.PacketsIn), Per(b.BytesIn - a.BytesIn), Per(b.PacketsOut - a.PacketsOut), Per(b.BytesOut - a.BytesOut), Per(b.Dropped - a.Dropped));
        }
    }
}
