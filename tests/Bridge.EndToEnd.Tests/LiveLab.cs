using System.Diagnostics;
using System.Text;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// One lab of the README (scripts/lab) with its own namespace prefix: topology up, bridged
/// running and ready. Dispose runs 'scripts/lab down', which removes every namespace and link even
/// when the test failed.
/// </summary>
public sealed class LiveLab : IDisposable
{
    public const string HostA = "192.168.103.1";
    public const string HostB = "192.168.101.1";

    private bool _down;

    private LiveLab(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    public static string Root { get; } = FindRoot();

    public string Script => Path.Combine(Root, "scripts", "lab");

    /// <summary>The config the lab daemon runs with (rewrite it and call <see cref="Reload"/>).</summary>
    public string ConfigPath => Path.Combine(Root, ".lab", Prefix + "bridge.conf");

    public string LogPath => Path.Combine(Root, ".lab", Prefix + "bridged.log");

    /// <summary>The daemon's state directory (alert files, captures), fresh for each lab.</summary>
    public string StateDirectory => Path.Combine(Root, ".lab", Prefix + "state");

    /// <param name="build">"release" (the shipped build) or "debug" (artifacts/bridged-debug: the fault-injection build with 'debug fault').</param>
    /// <param name="environment">Extra variables for the daemon (.NET configuration, e.g. <c>Bridge__AfPacket__RingBytes</c>).</param>
    public static LiveLab Up(string driver = "afpacket", string? config = null, int workers = 1, string build = "release",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var lab = new LiveLab($"e2e{Guid.NewGuid().ToString("N")[..5]}-");
        try
        {
            var args = new List<string> { "--prefix", lab.Prefix, "up", "--driver", driver, "--workers", workers.ToString(), "--build", build };
            if (config is not null)
            {
                string file = Path.Combine(Path.GetTempPath(), lab.Prefix + "input.conf");
                File.WriteAllText(file, config);
                args.AddRange(["--config", file]);
            }
            Run(lab.Script, args, TimeSpan.FromMinutes(4), environment).EnsureSuccess();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command in hostA, hostB or bridge.</summary>
    public Result Exec(string host, params string[] command) => Exec(host, TimeSpan.FromSeconds(60), command);

    public Result Exec(string host, TimeSpan timeout, params string[] command) =>
        Run("ip", ["netns", "exec", Prefix + host, .. command], timeout);

    /// <summary>Starts a command in a namespace without waiting (a listener, a capture, a transfer).</summary>
    public Process Start(string host, params string[] command) =>
        StartProcess("ip", ["netns", "exec", Prefix + host, .. command]);

    public Result Reload() => Run(Script, ["--prefix", Prefix, "reload"], TimeSpan.FromSeconds(30));

    /// <summary>'scripts/lab restart': kill -9 the daemon (SIGTERM with <paramref name="term"/>) and start it again on the same files.</summary>
    public Result Restart(bool term = false) =>
        Run(Script, term ? ["--prefix", Prefix, "restart", "--term"] : ["--prefix", Prefix, "restart"], TimeSpan.FromMinutes(2));

    /// <summary>The daemon's runtime directory (capture rings), which a restart keeps.</summary>
    public string RuntimeDirectory => Path.Combine("/run/bridge-lab", Prefix + "runtime");

    public Result Cli(string command) => Run(Script, ["--prefix", Prefix, "cli", "-c", command], TimeSpan.FromSeconds(30));

    /// <summary>Ping from A to B; true when every reply came back.</summary>
    public Result Ping(int count = 4, int size = 32, string from = "hostA", string to = HostB, string interval = "0.2", params string[] extra) =>
        Exec(from, ["ping", "-c", count.ToString(), "-s", size.ToString(), "-i", interval, "-W", "1", .. extra, to]);

    public long Counter(string host, string device, string counter) =>
        long.Parse(Exec(host, "cat", $"/sys/class/net/{device}/statistics/{counter}").EnsureSuccess().Stdout.Trim());

    /// <summary>Stops the daemon and removes the lab; returns the daemon's log (with its final counters).</summary>
    public string Down()
    {
        if (_down)
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
        _down = true;
        Run(Script, ["--prefix", Prefix, "down"], TimeSpan.FromSeconds(60));
        return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    }

    public void Dispose()
    {
        Down();
        File.Delete(LogPath);
        File.Delete(Path.Combine(Path.GetTempPath(), Prefix + "input.conf"));
    }

    public sealed record Result(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public Result EnsureSuccess() => ExitCode == 0
            ? this
            : throw new InvalidOperationException($"{Command} exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var p = StartProcess(file, args, environment);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        string command = $"{file} {string.Join(' ', args)}";
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout}");
        }
        p.WaitForExit();
        return new Result(command, p.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process StartProcess(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                psi.Environment[name] = value;
        }
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "lab")) && File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("no checkout (scripts/lab, Bridge.sln) above the test directory");
    }
}
