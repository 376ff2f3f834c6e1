using System.Diagnostics;
using System.Net.Sockets;
using Bridge.Daemon.Tests.Support;
using System.Text;

namespace Bridge.Daemon.Tests.Hosting;

/// <summary>
/// bridged as systemd sees it: a real sd_notify socket, the daemon started as a service would be
/// (SYSTEMD_EXEC_PID = its own pid), on real veths in a namespace. READY=1 comes once the ports
/// are bound, WATCHDOG=1 while the workers turn, RELOADING=1/READY=1 around SIGHUP, STOPPING=1
/// and exit 0 on SIGTERM.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly VethNamespace _ns = new("bsn", "sn-in", "sn-out");
    private readonly string _dir = Directory.CreateTempSubdirectory("bsn-").FullName;

    public void Dispose()
    {
        _ns.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Ready_after_ports_bound_watchdog_while_healthy_reload_on_hangup_clean_exit_on_term()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.WriteAllText(conf, "interface sn-in\n nameif INSIDE\n bridge-group 1\ninterface sn-out\n nameif OUTSIDE\n bridge-group 1\n");
        string notifyPath = Path.Combine(_dir, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        string daemon = Path.Combine(AppContext.BaseDirectory, "bridged.dll");
        var psi = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // exec keeps the shell's pid, so $$ is the daemon's pid, as systemd sets it. SIGHUP starts
        // ignored, as under nohup: the daemon must take it back for reload.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"trap '' HUP; SYSTEMD_EXEC_PID=$$ exec ip netns exec {_ns.Name} dotnet {daemon} --config {conf} --workers 2 --admin-socket {_dir}/admin.sock");
        psi.Environment["NOTIFY_SOCKET"] = notifyPath;
        psi.Environment["WATCHDOG_USEC"] = "1000000";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        try
        {
            var seen = new List<string>();
            Expect(notify, seen, "READY=1", TimeSpan.FromSeconds(60));
            // READY=1 must mean forwarding: both ports open as promiscuous fanout members.
            Assert.Contains(seen, m => m.StartsWith("STATUS=Forwarding: INSIDE sn-in", StringComparison.Ordinal));
            Assert.Contains("PROMISC", _ns.Exec("ip", "link", "show", "sn-out"));

            Expect(notify, seen, "WATCHDOG=1", TimeSpan.FromSeconds(5));

            File.AppendAllText(conf, "timeout udp 0:05:00\n");
            VethNamespace.Run("kill", "-HUP", p.Id.ToString());
            Expect(notify, seen, "RELOADING=1", TimeSpan.FromSeconds(10));
            Expect(notify, seen, "READY=1", TimeSpan.FromSeconds(10));

            VethNamespace.Run("kill", "-TERM", p.Id.ToString());
            Expect(notify, seen, "STOPPING=1", TimeSpan.FromSeconds(10));
            Assert.True(p.WaitForExit(20_000), "bridged did not exit after SIGTERM");
            Assert.Equal(0, p.ExitCode);
            string log = await stderr;
            Assert.Contains("Final counters", log);
            Assert.Contains("Reloaded", log);
        }
        catch (Xunit.Sdk.XunitException e) when (!p.HasExited)
        {
            // What the daemon said is the only clue to a missed notification: put it in the failure.
            p.Kill(entireProcessTree: true);
            string log = await stderr;
            throw new Xunit.Sdk.XunitException(e.Message + "\n--- bridged log (last 40 lines):\n" + string.Join('\n', log.Split('\n').TakeLast(40)));
        }
        finally
        {
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
        }
    }

    private static void Expect(Socket notify, List<string> seen, string message, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            Assert.True(left > 0, $"no {message} from bridged within {timeout}; got: {string.Join(" | ", seen)}");
            if (!notify.Poll(TimeSpan.FromMilliseconds(left), SelectMode.SelectRead))
                continue;
            int n = notify.Receive(buffer);
            foreach (var line in Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                seen.Add(line);
                if (line == message)
                    return;
            }
        }
    }
}
