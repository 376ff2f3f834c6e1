using Bridge.Daemon.Forwarding;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Hosting;

/// <summary>Once a second, lets the data plane notice devices that went away or came back (<see cref="DataPlane.CheckDevicesAsync"/>).</summary>
internal sealed class DeviceMonitorService(DataPlane dataPlane, ILogger<DeviceMonitorService> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await dataPlane.CheckDevicesAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    log.LogError(e, "Checking the devices failed; trying again in {Interval}", Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
