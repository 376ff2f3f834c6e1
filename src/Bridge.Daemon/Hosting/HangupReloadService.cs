using System.Runtime.InteropServices;
using Bridge.Daemon.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Bridge.Daemon.Hosting;

/// <summary>
/// SIGHUP (systemctl reload) re-reads the config file and swaps it in; a bad file is logged with
/// file:line and the running config stays. The signal's default action (exit) is cancelled.
/// </summary>
internal sealed class HangupReloadService(IBridgeRuntime runtime, ISystemdNotifier notifier) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;
    private int _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            // Off the signal thread; a reload that arrives during one is folded into it.
            if (Interlocked.Exchange(ref _running, 1) == 0)
                ThreadPool.QueueUserWorkItem(_ => ReloadNow());
        });
        return Task.CompletedTask;
    }

    private void ReloadNow()
    {
        try
        {
            if (notifier.IsEnabled)
                notifier.Notify(new ServiceState("RELOADING=1"));
            runtime.Reload();
        }
        finally
        {
            if (notifier.IsEnabled)
                notifier.Notify(ServiceState.Ready);
            Volatile.Write(ref _running, 0);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _registration = null;
    }
}
