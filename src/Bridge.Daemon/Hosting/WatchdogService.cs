using Bridge.Daemon.Forwarding;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Hosting;

/// <summary>
/// systemd's watchdog tied to the data plane: WATCHDOG=1 is sent at half the WatchdogSec interval
/// only while every worker is alive and turning its loop, so a wedged worker gets the service
/// restarted (Restart=on-failure) instead of a silently dead bridge. Also logs frame faults.
/// </summary>
internal sealed class WatchdogService(DataPlane dataPlane, ISystemdNotifier notifier, ILogger<WatchdogService> log) : BackgroundService
{
    private static readonly TimeSpan FaultLogInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = WatchdogInterval() is { } watchdog && notifier.IsEnabled ? watchdog / 2 : (TimeSpan?)null;
        var period = interval is { } i && i < FaultLogInterval ? i : FaultLogInterval;
        long loggedFaults = 0;
        string? lastProblem = null;
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (interval is not null)
            {
                if (dataPlane.CheckHealth(out string problem))
                {
                    notifier.Notify(new ServiceState("WATCHDOG=1"));
                    if (lastProblem is not null)
                        log.LogInformation("Data plane healthy again");
                    lastProblem = null;
                }
                else if (problem != lastProblem)
                {
                    log.LogError("Data plane unhealthy, withholding the watchdog ping: {Problem}", problem);
                    lastProblem = problem;
                }
            }
            var (faults, last) = dataPlane.FrameFaults();
            if (faults != loggedFaults)
            {
                log.LogError(last, "{Count} frame(s) lost to processing faults so far", faults);
                loggedFaults = faults;
            }
        }
    }

    // WATCHDOG_USEC is set by systemd when the unit has WatchdogSec; WATCHDOG_PID names who must ping.
    private static TimeSpan? WatchdogInterval()
    {
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is not null && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            return null;
        string? usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        return long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long us) && us > 0
            ? TimeSpan.FromMicroseconds(us)
            : null;
    }
}
