using Bridge.Capture;
using Microsoft.Extensions.Configuration;

namespace Bridge.Daemon.Runtime;

/// <summary>
/// Where the daemon keeps files of its own. The state directory (<c>Bridge:StateDirectory</c>,
/// else systemd's <c>$STATE_DIRECTORY</c>, else <c>/var/lib/bridge</c>) survives restarts and
/// holds generated keys and the capture directory (<c>Bridge:CaptureDirectory</c>, else
/// <c>STATE/captures</c>): pcap files written by <c>capture-traffic -w</c> and <c>copy … disk:</c>.
/// The runtime directory (<c>Bridge:RuntimeDirectory</c>, else systemd's <c>$RUNTIME_DIRECTORY</c>,
/// else <c>/run/bridge</c>) lives as long as the host is up and holds what must outlive the daemon
/// process but not a reboot: the capture rings (<see cref="CaptureRingDirectory"/>).
/// </summary>
public sealed record HostPaths(string StateDirectory, string CaptureDirectory, string RuntimeDirectory = HostPaths.DefaultRuntimeDirectory)
{
    public const string DefaultStateDirectory = "/var/lib/bridge";
    public const string DefaultRuntimeDirectory = "/run/bridge";

    public static HostPaths From(IConfiguration configuration)
    {
        string state = configuration["Bridge:StateDirectory"] is { Length: > 0 } s ? s
            // systemd may list several directories separated by ':'; ours is the first.
            : Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } env ? env.Split(':')[0]
            : DefaultStateDirectory;
        string captures = configuration["Bridge:CaptureDirectory"] is { Length: > 0 } c ? c : Path.Combine(state, "captures");
        string runtime = configuration["Bridge:RuntimeDirectory"] is { Length: > 0 } r ? r
            : Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } renv ? renv.Split(':')[0]
            : DefaultRuntimeDirectory;
        return new HostPaths(Path.GetFullPath(state), Path.GetFullPath(captures), Path.GetFullPath(runtime));
    }

    /// <summary>Where capture rings and definitions are kept across daemon restarts: <c>RUNTIME/captures</c>.</summary>
    public string CaptureRingDirectory => Path.Combine(RuntimeDirectory, "captures");

    /// <summary>The capture directory, created (mode 0750) if missing.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public string EnsureCaptureDirectory()
    {
        if (!Directory.Exists(CaptureDirectory))
        {
            Directory.CreateDirectory(CaptureDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        return CaptureDirectory;
    }
}
