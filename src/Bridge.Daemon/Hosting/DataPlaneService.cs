using Bridge.Daemon.Forwarding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Hosting;

/// <summary>
/// Starts the data plane with the host (so systemd's READY=1, sent once every hosted service has
/// started, means both ports are bound) and stops it first on SIGTERM, letting workers flush.
/// </summary>
internal sealed class DataPlaneService(DataPlane dataPlane, ILogger<DataPlaneService> log, ISystemdNotifier notifier) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        dataPlane.Start();
        string description = dataPlane.Describe();
        log.LogInformation("Forwarding: {Description}", description);
        if (notifier.IsEnabled)
            notifier.Notify(new ServiceState("STATUS=Forwarding: " + description));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (notifier.IsEnabled)
            notifier.Notify(ServiceState.Stopping);
        log.LogInformation("Stopping: draining {Workers} worker(s)", dataPlane.WorkerCount);
        dataPlane.Stop();
        // Like Snort at exit: the final counters go to the journal, so a run leaves its numbers behind.
        log.LogInformation("Final counters:\n{Counters}", dataPlane.StoppedReport);
        return Task.CompletedTask;
    }
}
