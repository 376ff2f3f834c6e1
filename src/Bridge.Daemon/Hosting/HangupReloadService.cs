using System.Runtime.InteropServices;
using Bridge.Daemon.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Hosting;

/// <summary>
/// SIGHUP (systemctl reload) re-reads the config file and swaps it in; a bad file is logged with
/// file:line and the running config stays. The signal's default action (exit) is cancelled.
/// </summary>
internal sealed class HangupReloadService(IBridgeRuntime runtime, ISystemdNotifier notifier, ILogger<HangupReloadService> log) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;
    private int _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A daemon started under nohup (or by anything that ignores SIGHUP) inherits SIGHUP
        // ignored, and .NET then leaves it ignored: reload would silently do nothing. The
        // default disposition first, so the registration below takes the signal.
        if (signal(SIGHUP, SIG_DFL) == SIG_ERR)
            log.LogWarning("Could not restore SIGHUP's default action: reload by signal may not work");
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
            log.LogInformation("SIGHUP: reloading the configuration");
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

    private const int SIGHUP = 1;
    private static readonly IntPtr SIG_DFL = IntPtr.Zero;
    private static readonly IntPtr SIG_ERR = new(-1);

    [DllImport("libc")]
    private static extern IntPtr signal(int signum, IntPtr handler);

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
