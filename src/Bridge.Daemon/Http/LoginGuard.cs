using System.Net;

namespace Bridge.Daemon.Http;

/// <summary>
/// Failed logins per source address: <see cref="MaxFailures"/> failures in a row lock the source out
/// for <see cref="LockoutTime"/>; a successful login resets its count. Sources that have been quiet
/// for a lockout period are forgotten, so the table cannot grow without bound from one-off failures.
/// </summary>
public sealed class LoginGuard(int maxFailures, TimeSpan lockoutTime, TimeProvider? clock = null)
{
    private sealed class Record
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset LockedUntil;
    }

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Record> _sources = [];

    public int MaxFailures { get; } = maxFailures;

    public TimeSpan LockoutTime { get; } = lockoutTime;

    /// <summary>How long <paramref name="source"/> is still locked out (zero when it may try).</summary>
    public TimeSpan LockedFor(IPAddress source)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            return _sources.TryGetValue(source, out var r) && r.LockedUntil > now ? r.LockedUntil - now : TimeSpan.Zero;
        }
    }

    /// <summary>Counts a failure; returns the failures so far and whether this one locked the source out.</summary>
    public (int Failures, bool LockedNow) Fail(IPAddress source)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            Forget(now);
            if (!_sources.TryGetValue(source, out var r)) _sources[source] = r = new Record();
            r.Failures++;
            r.LastFailure = now;
            if (r.Failures < MaxFailures) return (r.Failures, false);
            r.LockedUntil = now + LockoutTime;
            int failures = r.Failures;
            r.Failures = 0;
            return (failures, true);
        }
    }

    public void Succeed(IPAddress source)
    {
        lock (_gate) _sources.Remove(source);
    }

    private void Forget(DateTimeOffset now)
    {
        if (_sources.Count < 256) return;
        foreach (var (ip, r) in _sources.ToArray())
        {
            if (r.LockedUntil <= now && now - r.LastFailure > LockoutTime) _sources.Remove(ip);
        }
    }
}
