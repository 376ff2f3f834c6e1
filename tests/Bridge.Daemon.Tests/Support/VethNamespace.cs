namespace Bridge.Daemon.Tests.Support;

/// <summary>
/// A network namespace of the test's own (random name) holding veth pairs whose peer ends are up:
/// the devices a data plane can bind. Deleted on Dispose, which deletes the veths with it.
/// </summary>
internal sealed class VethNamespace : IDisposable
{
    public VethNamespace(string role, params string[] devices)
    {
        Name = $"{role}-{Guid.NewGuid().ToString("N")[..6]}";
        Run("ip", "netns", "add", Name);
        foreach (var dev in devices)
        {
            Exec("ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "-p");
            Exec("ip", "link", "set", dev + "-p", "up");
        }
    }

    public string Name { get; }

    public string Exec(params string[] command) => Run("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Runs a host tool to completion; its stdout, or an exception with its stderr.</summary>
    public static string Run(string file, params string[] args)
    {
        var r = HostCommand.Run(file, args, TimeSpan.FromSeconds(60));
        return r.ExitCode == 0 ? r.Stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {r}");
    }

    public void Dispose() => Run("ip", "netns", "del", Name);
}
