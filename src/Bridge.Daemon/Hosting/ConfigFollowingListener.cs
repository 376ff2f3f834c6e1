using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Bridge.Daemon.Hosting;

/// <summary>
/// A Kestrel listener whose address lives in the running configuration (<c>metrics listen</c>,
/// <c>http server enable</c>): once a second it compares what is configured with what it serves
/// and restarts, stops or starts the listener (<see cref="FollowConfigAsync"/>); on shutdown the
/// listener is stopped.
/// </summary>
public abstract class ConfigFollowingListener : BackgroundService
{
    protected static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    /// <summary>The running listener, null when none.</summary>
    protected WebApplication? App { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FollowInterval);
        try
        {
            do
            {
                await FollowConfigAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopListenerAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Brings the listener in line with the running configuration.</summary>
    protected abstract Task FollowConfigAsync(CancellationToken cancel);

    protected async Task StopListenerAsync()
    {
        if (App is null)
            return;
        await App.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        App = null;
        OnStopped();
    }

    /// <summary>Called after the listener stopped (state to forget, a line to say).</summary>
    protected virtual void OnStopped()
    {
    }
}
