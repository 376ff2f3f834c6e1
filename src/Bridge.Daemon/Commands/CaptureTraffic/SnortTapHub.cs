using System.Runtime.CompilerServices;
using Bridge.Capture.Tcpdump;
using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Commands.CaptureTraffic;

/// <summary>
/// The capture-traffic sessions listening on a running bridge, one list per
/// <see cref="IBridgeRuntime"/>. Whenever a session starts or ends, every worker gets, on its own
/// thread (<see cref="IBridgeRuntime.RunOnWorkers"/>), the tap of its share: null when nobody
/// listens (the SNORT stage then pays one null check), the session's ring, or a fan-out over
/// several sessions' rings.
/// </summary>
public static class SnortTapHub
{
    private sealed class Listeners
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly List<CaptureTrafficSession> Sessions = new();
    }

    private static readonly ConditionalWeakTable<IBridgeRuntime, Listeners> Table = new();

    public static Task Attach(IBridgeRuntime runtime, CaptureTrafficSession session) => Change(runtime, session, add: true);

    public static Task Detach(IBridgeRuntime runtime, CaptureTrafficSession session) => Change(runtime, session, add: false);

    /// <summary>How many sessions listen now.</summary>
    public static int Count(IBridgeRuntime runtime) => Table.TryGetValue(runtime, out var listeners) ? listeners.Sessions.Count : 0;

    private static async Task Change(IBridgeRuntime runtime, CaptureTrafficSession session, bool add)
    {
        var listeners = Table.GetValue(runtime, _ => new Listeners());
        // One change at a time, so two sessions starting together cannot install an older list last.
        await listeners.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (add) listeners.Sessions.Add(session);
            else listeners.Sessions.Remove(session);
            var sessions = listeners.Sessions.ToArray();
            // Never cancelled: a session that ends on Ctrl+C must still take its taps away.
            await runtime.RunOnWorkers(dp => dp.SnortTap = TapFor(sessions, dp.WorkerIndex), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            listeners.Gate.Release();
        }
    }

    private static ISnortTap? TapFor(CaptureTrafficSession[] sessions, int worker)
    {
        var taps = new List<ISnortTap>(sessions.Length);
        foreach (var session in sessions)
        {
            if (worker < session.Rings.Count) taps.Add(session.Rings[worker]);
        }
        return taps.Count switch
        {
            0 => null,
            1 => taps[0],
            _ => new SnortTapFanout(taps),
        };
    }
}
