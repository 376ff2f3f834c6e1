using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Bridge.Daemon.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Metrics;

/// <summary>
/// Serves <c>GET /metrics</c> on the config's <c>metrics listen</c> address with Kestrel. The
/// address may change on reload, so the server follows the running config: a changed address
/// restarts the listener, <c>no metrics listen</c> stops it, a bind failure is logged and retried.
/// </summary>
internal sealed class MetricsServer(IBridgeRuntime runtime, BridgeMetrics metrics, ILogger<MetricsServer> log) : ConfigFollowingListener
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    private MetricsEndpoint? _serving;
    private DateTime _retryAt;

    protected override async Task FollowConfigAsync(CancellationToken cancel)
    {
        var wanted = runtime.Snapshot.Config.MetricsListen;
        if (Equals(wanted, _serving) && (App is not null || wanted is null))
            return;
        if (App is not null)
            await StopListenerAsync().ConfigureAwait(false);
        _serving = wanted;
        if (wanted is null || DateTime.UtcNow < _retryAt)
            return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(wanted.Address, wanted.Port));
        var app = builder.Build();
        app.MapGet("/metrics", new RequestDelegate(metrics.ExportAsync));
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
            App = app;
            log.LogInformation("Metrics on http://{Endpoint}/metrics", wanted);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _retryAt = DateTime.UtcNow + RetryInterval;
            _serving = null;
            log.LogError("Cannot listen for metrics on {Endpoint}: {Reason}; retrying in {Retry}", wanted, e.Message, RetryInterval);
        }
    }
}
