namespace Bridge.Daemon.Forwarding;

/// <summary>
/// The data plane's clock: Unix time in nanoseconds, the same base as ring and pcap timestamps, so
/// flow ages shown by the control plane and times in captures agree. Read once per batch.
/// </summary>
public static class UnixClock
{
    public static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
