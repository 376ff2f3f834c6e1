using System.Globalization;
using Bridge.Packets;

namespace Bridge.Pipeline.Config;

/// <summary>
/// The event outputs of the config (FTD's <c>logging</c> lines, the subset Bridge implements):
/// <c>logging enable</c> switches the configured outputs on; <c>logging trap LEVEL</c> is the
/// most verbose severity sent to the <c>logging host</c> servers (none without it, as on ASA);
/// <c>logging file json [KBYTES]</c> writes every event as a JSON line to <c>events.json</c>.
/// The journal/console log of the daemon does not depend on these lines.
/// </summary>
public sealed record LoggingSettings(bool Enabled, int? TrapLevel, IReadOnlyList<SyslogHost> Hosts, long? JsonFileKBytes)
{
    /// <summary><c>logging file json</c> without a size: rotate at 64 MiB.</summary>
    public const long DefaultJsonFileKBytes = 65536;

    public const long MinJsonFileKBytes = 64;
    public const long MaxJsonFileKBytes = 4L * 1024 * 1024;

    public static LoggingSettings Off { get; } = new(false, null, [], null);

    /// <summary>Syslog severity names as ASA spells them (index = level).</summary>
    public static IReadOnlyList<string> LevelNames { get; } =
        ["emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging"];

    /// <summary>A level from its name or number (0-7), or -1.</summary>
    public static int ParseLevel(string text)
    {
        for (int i = 0; i < LevelNames.Count; i++)
        {
            if (LevelNames[i] == text) return i;
        }
        return text.Length == 1 && text[0] is >= '0' and <= '7' ? text[0] - '0' : -1;
    }

    /// <summary>True when an event of <paramref name="severity"/> goes to the syslog servers.</summary>
    public bool SendsToHosts(int severity) => Enabled && TrapLevel is { } trap && severity <= trap && Hosts.Count > 0;

    /// <summary>The canonical lines (<c>show running-config logging</c>), in a fixed order.</summary>
    public IEnumerable<string> Lines()
    {
        if (Enabled) yield return "logging enable";
        if (TrapLevel is { } trap) yield return "logging trap " + LevelNames[trap];
        foreach (var h in Hosts) yield return h.Text;
        if (JsonFileKBytes is { } size)
        {
            yield return size == DefaultJsonFileKBytes ? "logging file json" : "logging file json " + size.ToString(CultureInfo.InvariantCulture);
        }
    }
}

public enum SyslogTransport : byte
{
    Udp,
    Tcp,
}

/// <summary>
/// One <c>logging host IFNAME IP [udp[/PORT] | tcp[/PORT]]</c> line. IFNAME is a nameif or
/// <c>management</c>: the messages leave through the host's own stack (the bridged ports carry no
/// address), as for <c>http</c>. Printed as ASA does: nothing for UDP/514, else <c>17/PORT</c> or
/// <c>6/PORT</c>.
/// </summary>
public sealed record SyslogHost(string NameIf, IpAddr Address, SyslogTransport Transport, int Port)
{
    public const int DefaultUdpPort = 514;

    /// <summary>ASA's default port for syslog over TCP.</summary>
    public const int DefaultTcpPort = 1470;

    public string Text
    {
        get
        {
            string head = $"logging host {NameIf} {Address}";
            if (Transport == SyslogTransport.Udp && Port == DefaultUdpPort) return head;
            string proto = Transport == SyslogTransport.Tcp ? "6" : "17";
            return $"{head} {proto}/{Port.ToString(CultureInfo.InvariantCulture)}";
        }
    }
}
