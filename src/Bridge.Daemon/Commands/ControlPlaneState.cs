using System.Globalization;
using Bridge.Daemon.Commands.Show;
using Bridge.Packets;

namespace Bridge.Daemon.Commands;

/// <summary>
/// Control-plane facts that outlive one command: when and by whom the asp-drop counters were last
/// cleared, and the lock that serialises configuration changes (each change reads the running
/// config, edits it and applies the result; two at once would lose one).
/// </summary>
public sealed class ControlPlaneState
{
    private readonly Lock _gate = new();
    private string? _frameClearing;
    private string? _flowClearing;

    /// <summary>
    /// When this daemon process started, if it is one (null in tests that build a bare state).
    /// Counters live in the workers and start from zero with the process, so until the first
    /// <c>clear</c> the last clearing is the start: <c>10:43:33 UTC Jan 5 2021 by bridged start</c>.
    /// </summary>
    public DateTimeOffset? StartedAt { get; init; }

    public SemaphoreSlim ConfigLock { get; } = new(1, 1);

    /// <summary>The daemon's own directories (state, captures); tests point them at a temporary directory.</summary>
    public Runtime.HostPaths Paths { get; init; } = Runtime.HostPaths.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

    /// <summary>Samples behind the 1- and 5-minute rates of show interface.</summary>
    public InterfaceRateMeter Rates { get; } = new();

    public string LastClearing(DropSection section)
    {
        string? cleared;
        lock (_gate) cleared = section == DropSection.Frame ? _frameClearing : _flowClearing;
        return cleared ?? (StartedAt is { } start ? AsaTime.Format(start) + " by bridged start" : "Never");
    }

    /// <summary>Records a clear in FTD's form: <c>10:43:33 UTC Jan 5 2021 by admin</c>.</summary>
    public void RecordClearing(DropSection section, DateTimeOffset when, string user)
    {
        string text = AsaTime.Format(when) + " by " + user;
        lock (_gate)
        {
            if (section == DropSection.Frame) _frameClearing = text;
            else _flowClearing = text;
        }
    }
}
