using Bridge.Daemon.Tests.Support;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Bridge.Daemon.Tests.Systemd;

/// <summary>
/// One <c>scripts/install --root TMP --no-start</c> for the whole class (publishing is the slow
/// part), with what the tests need to know about that first run recorded before any test changes
/// the tree.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstalledTree : IDisposable
{
    public static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    public string Root { get; } = Directory.CreateTempSubdirectory("bridge-install-").FullName;
    internal CommandResult FirstRun { get; }
    public TimeSpan FirstRunTime { get; }
    public string? FirstConfig { get; }

    public InstalledTree()
    {
        // Like a real /, and so that the daemon can run from here as an unprivileged user.
        File.SetUnixFileMode(Root, (UnixFileMode)0x1ed);
        var clock = Stopwatch.StartNew();
        FirstRun = RunInstall(Root);
        FirstRunTime = clock.Elapsed;
        string conf = Path.Combine(Root, "etc", "bridge", "bridge.conf");
        FirstConfig = File.Exists(conf) ? File.ReadAllText(conf) : null;
    }

    internal static CommandResult RunInstall(string root) =>
        HostCommand.Run(Path.Combine(HostCommand.RepoRoot(), "scripts", "install"), ["--root", root, "--no-start"], InstallTimeout);

    /// <summary>A path inside the temporary root.</summary>
    public string In(params string[] parts) => Path.Combine([Root, .. parts]);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// scripts/install into a temporary root: a daemon that runs, the unit that systemd-analyze
/// verifies, the example configuration, and an operator's configuration kept on a second run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstallTests(InstalledTree tree, ITestOutputHelper output) : IClassFixture<InstalledTree>
{
    private static readonly string Repo = HostCommand.RepoRoot();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Install_publishes_a_bridged_that_runs()
    {
        output.WriteLine($"first scripts/install run: {tree.FirstRunTime.TotalSeconds:0.0} s");
        Assert.True(tree.FirstRun.ExitCode == 0, tree.FirstRun.ToString());
        string bridged = tree.In("usr", "lib", "bridge", "bridged");
        Assert.True(File.Exists(bridged), bridged);
        Assert.True((File.GetUnixFileMode(bridged) & UnixFileMode.UserExecute) != 0, $"{bridged} is not executable");

        var help = HostCommand.Run(bridged, ["--help"], Timeout);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Usage:", help.Stdout);
        // Framework-dependent: the shared runtime is not copied next to the app.
        Assert.False(File.Exists(tree.In("usr", "lib", "bridge", "System.Private.CoreLib.dll")));
        Assert.Contains("not creating groups", tree.FirstRun.Stdout);
    }

    [Fact]
    public void Install_puts_the_unit_where_systemd_looks_for_vendor_units()
    {
        Assert.True(tree.FirstRun.ExitCode == 0, tree.FirstRun.ToString());
        string unit = tree.In("usr", "lib", "systemd", "system", "bridged.service");
        Assert.Equal(File.ReadAllText(Path.Combine(Repo, "systemd", "bridged.service")), File.ReadAllText(unit));
        Assert.Equal(File.ReadAllText(Path.Combine(Repo, "config", "bridge.conf")), tree.FirstConfig);
        // The apphost finds /usr/share/dotnet on its own here, so no DOTNET_ROOT drop-in is written.
        Assert.False(Directory.Exists(tree.In("etc", "systemd", "system", "bridged.service.d")));
    }

    [Fact]
    public void Systemd_analyze_verify_accepts_the_installed_unit()
    {
        Assert.True(tree.FirstRun.ExitCode == 0, tree.FirstRun.ToString());
        var result = Verify(unitText => unitText);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr.Trim());
    }

    [Fact]
    public void Systemd_analyze_verify_reports_a_broken_copy()
    {
        // The check above is only worth something if verify does complain about this unit's mistakes.
        Assert.True(tree.FirstRun.ExitCode == 0, tree.FirstRun.ToString());
        var result = Verify(unitText => unitText.Replace("Type=notify", "Type=notifyy", StringComparison.Ordinal));
        Assert.Contains("bridged.service", result.Stderr);
        Assert.Contains("notifyy", result.Stderr);
    }

    [Fact]
    public void Second_run_succeeds_and_keeps_a_modified_bridge_conf()
    {
        Assert.True(tree.FirstRun.ExitCode == 0, tree.FirstRun.ToString());
        string conf = tree.In("etc", "bridge", "bridge.conf");
        string operatorConfig = "interface veth-in\n nameif INSIDE\n bridge-group 1\n!\ninterface veth-out\n nameif OUTSIDE\n bridge-group 1\n";
        File.WriteAllText(conf, operatorConfig);

        var clock = Stopwatch.StartNew();
        var second = InstalledTree.RunInstall(tree.Root);
        output.WriteLine($"second scripts/install run: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("kept the existing", second.Stdout);
        Assert.Equal(operatorConfig, File.ReadAllText(conf));

        // The swapped-in build still runs, and no staging or old directory is left behind.
        var help = HostCommand.Run(tree.In("usr", "lib", "bridge", "bridged"), ["--help"], Timeout);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Equal(["bridge", "systemd"],
            Directory.GetDirectories(tree.In("usr", "lib")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Installed_bridged_forwards_as_an_unprivileged_user_with_only_the_units_capabilities()
    {
        // What the unit grants: a non-root user, no_new_privs, NET_RAW and NET_ADMIN as ambient and
        // bounding set, LimitRTPRIO=10. setpriv and prlimit stand in for systemd, which is not PID 1
        // here. Raising RLIMIT_RTPRIO needs CAP_SYS_RESOURCE, which some containers withhold from
        // root: then the worker must fall back to time-sharing and say why.
        bool rtprio = HostCommand.Run("prlimit", ["--rtprio=10", "true"], Timeout).ExitCode == 0;
        Assert.True(tree.FirstRun.ExitCode == 0, tree.FirstRun.ToString());
        string suffix = Random.Shared.Next(0x10000, 0xfffff).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        string ns = $"bsd{suffix}", inside = $"bi{suffix}", outside = $"bo{suffix}";
        string dir = Directory.CreateTempSubdirectory("bridge-caps-").FullName;
        try
        {
            Ip("netns", "add", ns);
            Ip("-n", ns, "link", "add", inside, "type", "veth", "peer", "name", $"p{inside}");
            Ip("-n", ns, "link", "add", outside, "type", "veth", "peer", "name", $"p{outside}");
            foreach (var dev in new[] { inside, $"p{inside}", outside, $"p{outside}" })
                Ip("-n", ns, "link", "set", dev, "up");
            string conf = Path.Combine(dir, "bridge.conf");
            File.WriteAllText(conf, $"interface {inside}\n nameif INSIDE\n bridge-group 1\n!\ninterface {outside}\n nameif OUTSIDE\n bridge-group 1\n");
            // The unprivileged daemon creates its admin socket here, as it would in /run/bridge.
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
            File.SetUnixFileMode(conf, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[]
                     {
                         "netns", "exec", ns, "prlimit", rtprio ? "--rtprio=10" : "--rtprio=0", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--no-new-privs",
                         "--inh-caps=-all,+net_raw,+net_admin", "--ambient-caps=-all,+net_raw,+net_admin",
                         "--bounding-set=-all,+net_raw,+net_admin",
                         tree.In("usr", "lib", "bridge", "bridged"), "--config", conf, "--workers", "1",
                         "--admin-socket", Path.Combine(dir, "admin.sock"),
                     })
                psi.ArgumentList.Add(a);
            // ip netns exec and setpriv both exec, so this process is bridged itself.
            using var daemon = Process.Start(psi)!;
            var stderr = daemon.StandardError.ReadToEndAsync();
            try
            {
                // null when bridged exits first: its stderr says why.
                string? ready = await daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                if (ready is null) Assert.Fail($"bridged exited before it was ready\n{await stderr}");
                output.WriteLine(ready);
                Assert.StartsWith("bridged: ready", ready);
                Assert.Contains($"INSIDE {inside} up", ready);
                // The worker takes its real-time priority within the limit, without CAP_SYS_NICE.
                Assert.Contains(rtprio ? "1 worker(s) SCHED_FIFO 10" : "1 worker(s) SCHED_OTHER", ready);

                var term = HostCommand.Run("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Timeout);
                Assert.True(term.ExitCode == 0, term.ToString());
                await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
                string log = await stderr;
                if (daemon.ExitCode != 0) Assert.Fail($"exit {daemon.ExitCode}\n{log}");
                if (!rtprio) Assert.Contains("SCHED_FIFO 10 refused: Operation not permitted: needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 10", log);
            }
            finally
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill();
                    daemon.WaitForExit();
                }
            }
        }
        finally
        {
            HostCommand.Run("ip", ["netns", "del", ns], Timeout);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Ip(params string[] args)
    {
        var result = HostCommand.Run("ip", args, Timeout);
        Assert.True(result.ExitCode == 0, $"ip {string.Join(' ', args)}: {result}");
    }

    /// <summary>
    /// systemd-analyze verify checks that ExecStart= names an executable, resolved on the host; with
    /// --root it also looks for every dependency (sysinit.target, /bin/kill) in the root. So verify a
    /// copy of the installed unit whose ExecStart= points at the binary in the temporary root.
    /// </summary>
    private CommandResult Verify(Func<string, string> edit)
    {
        string installed = File.ReadAllText(tree.In("usr", "lib", "systemd", "system", "bridged.service"));
        const string execStart = "ExecStart=/usr/lib/bridge/bridged ";
        Assert.Contains(execStart, installed);
        string copy = edit(installed.Replace(execStart, $"ExecStart={tree.In("usr", "lib", "bridge", "bridged")} ", StringComparison.Ordinal));
        var dir = Directory.CreateTempSubdirectory("bridge-verify-");
        try
        {
            string path = Path.Combine(dir.FullName, "bridged.service");
            File.WriteAllText(path, copy);
            return HostCommand.Run("systemd-analyze", ["verify", "--no-pager", path], Timeout);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
