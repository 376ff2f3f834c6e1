using System.Diagnostics;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Bridge.Io.Tests;

/// <summary>
/// Network namespaces and veth pairs made for one test, named with a random suffix, and removed
/// on Dispose (deleting a namespace deletes the veth ends inside it).
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    private readonly List<string> _namespaces = [];

    public string Suffix { get; } = Guid.NewGuid().ToString("N")[..6];

    public string AddNamespace(string role)
    {
        string name = $"bio-{role}-{Suffix}";
        Run("ip", "netns", "add", name);
        _namespaces.Add(name);
        // No IPv6 autoconfiguration chatter on the test links.
        Exec(name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Exec(name, "ip", "link", "set", "lo", "up");
        return name;
    }

    public void AddVeth(string nsA, string devA, string nsB, string devB, int mtu = 1500)
    {
        Run("ip", "link", "add", devA, "netns", nsA, "mtu", mtu.ToString(), "type", "veth",
            "peer", "name", devB, "netns", nsB, "mtu", mtu.ToString());
        Exec(nsA, "ip", "link", "set", devA, "up");
        Exec(nsB, "ip", "link", "set", devB, "up");
        WaitOperUp(nsA, devA);
        WaitOperUp(nsB, devB);
    }

    /// <summary>Operstate follows carrier through the kernel's link watch, up to a second later.</summary>
    public void WaitOperUp(string ns, string dev)
    {
        long deadline = Environment.TickCount64 + 5000;
        while (!Exec(ns, "cat", $"/sys/class/net/{dev}/operstate").StartsWith("up", StringComparison.Ordinal))
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"{dev} in {ns} did not come up");
            Thread.Sleep(20);
        }
    }

    public string Exec(string ns, params string[] args) => Run("ip", ["netns", "exec", ns, .. args]);

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return stdout;
    }

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            try
            {
                Run("ip", "netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
                // Already gone; nothing else to clean.
            }
        }
    }
}
