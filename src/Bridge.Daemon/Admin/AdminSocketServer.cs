using System.Net.Sockets;
using Bridge.Daemon.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Admin;

/// <summary>
/// The admin socket: a Unix stream socket (mode 0660, group <c>bridge</c> when that group exists)
/// accepting any number of clients, each served by its own <see cref="AdminConnection"/>. It runs
/// on the thread pool, apart from the workers: the data plane never waits for it. It also samples
/// interface counters for the rates of show interface.
/// </summary>
public sealed class AdminSocketServer(CommandDispatcher dispatcher, IAdminRolePolicy policy, string path, ILogger<AdminSocketServer> log) : BackgroundService
{
    public const string DefaultPath = "/run/bridge/admin.sock";

    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);

    private Socket? _listener;

    public string Path => path;

    /// <summary><c>Bridge:AdminSocket</c>, else <c>$RUNTIME_DIRECTORY/admin.sock</c>, else <see cref="DefaultPath"/>.</summary>
    public static string ResolvePath(IConfiguration configuration)
    {
        if (configuration["Bridge:AdminSocket"] is { Length: > 0 } configured) return configured;
        // systemd may pass several runtime directories separated by ':'; the first is ours.
        if (Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } runtimeDir) return System.IO.Path.Combine(runtimeDir.Split(':')[0], "admin.sock");
        return DefaultPath;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = Listen(path);
        log.LogInformation("admin socket listening on {Path}", path);
        return base.StartAsync(cancellationToken);
    }

    private Socket Listen(string socketPath)
    {
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(socketPath))!;
        Directory.CreateDirectory(dir);
        RemoveStale(socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
            // Under systemd the daemon runs as group bridge and the socket is born with it; chown is
            // only for a daemon started by root by hand (the unit's syscall filter denies it).
            if (LinuxNative.GroupId(GroupRolePolicy.MonitorGroup) is { } gid && gid != LinuxNative.getegid()
                && LinuxNative.chown(socketPath, uint.MaxValue, gid) != 0)
            {
                log.LogWarning("cannot give {Path} to group {Group} (errno {Errno})", socketPath, GroupRolePolicy.MonitorGroup, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            }
            listener.Listen(64);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private static bool ClientWentAway(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode
            is SocketError.OperationAborted or SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted;

    /// <summary>Removes a socket file left by a daemon that died; refuses to steal one that still answers.</summary>
    private static void RemoveStale(string socketPath)
    {
        if (!File.Exists(socketPath)) return;
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(socketPath));
                throw new IOException($"another bridged is already serving {socketPath}");
            }
            catch (SocketException)
            {
                // Nobody listens: a stale file.
            }
        }
        File.Delete(socketPath);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener ?? throw new InvalidOperationException("StartAsync was not called");
        var sampler = SampleAsync(stoppingToken);
        var clients = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectDisposedException || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
                {
                    // StopAsync closed the listener under the pending accept: shutting down, not a failure.
                    break;
                }
                catch (SocketException e)
                {
                    log.LogWarning(e, "admin socket accept failed");
                    continue;
                }
                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(Task.Run(() => ServeAsync(client, stoppingToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(clients).ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        try
        {
            var peer = PeerCredentials.Read(client);
            var session = new AdminSession(peer.UserName, policy.RoleFor(peer));
            log.LogDebug("admin client pid {Pid} uid {Uid} ({User}) as {Role}", peer.Pid, peer.Uid, peer.UserName, session.Role);
            await new AdminConnection(client, dispatcher, session, log).RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ClientWentAway(e))
        {
            // bridgectl -c closes as soon as it has its answer; a send cut short by that is no fault.
            log.LogDebug(e, "admin client went away");
            client.Dispose();
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            log.LogWarning(e, "admin client failed");
            client.Dispose();
        }
    }

    private async Task SampleAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SampleEvery);
        try
        {
            do
            {
                dispatcher.State.Rates.Sample(dispatcher.Runtime, DateTimeOffset.UtcNow);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Dispose();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            log.LogWarning(e, "cannot remove {Path}", path);
        }
    }
}
