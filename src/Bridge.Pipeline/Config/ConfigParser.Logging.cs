using System.Globalization;
using Bridge.Packets;

namespace Bridge.Pipeline.Config;

/// <summary>
/// <c>[no] logging enable</c>, <c>[no] logging trap LEVEL</c>,
/// <c>[no] logging host IFNAME IP [udp[/PORT] | tcp[/PORT] | 17/PORT | 6/PORT]</c>,
/// <c>[no] logging file json [KBYTES]</c>.
/// </summary>
internal sealed partial class ConfigParser
{
    private bool _loggingEnabled;
    private int? _trapLevel;
    private readonly List<SyslogHost> _syslogHosts = [];
    private long? _jsonFileKBytes;

    /// <summary>After the <c>logging</c> token.</summary>
    private void Logging(bool negated)
    {
        var t = Next("'enable', 'trap', 'host' or 'file'");
        switch (t.Text)
        {
            case "enable":
                ExpectEnd();
                _loggingEnabled = !negated;
                break;
            case "trap":
                if (negated)
                {
                    // 'no logging trap' may repeat the level, as ASA accepts.
                    if (!AtEnd) Level(Next("level"));
                    ExpectEnd();
                    _trapLevel = null;
                    break;
                }
                _trapLevel = Level(Next("level (emergencies … debugging, or 0-7)"));
                ExpectEnd();
                break;
            case "host":
                LoggingHost(negated);
                break;
            case "file":
                Expect("json");
                if (negated)
                {
                    _pos = _tokens.Count;
                    _jsonFileKBytes = null;
                    break;
                }
                _jsonFileKBytes = AtEnd ? LoggingSettings.DefaultJsonFileKBytes : LongIn(Next("size in kilobytes"), LoggingSettings.MinJsonFileKBytes, LoggingSettings.MaxJsonFileKBytes, "logging file size (KB)");
                ExpectEnd();
                break;
            default:
                throw Fail(t, $"unknown logging setting '{t.Text}' (enable, trap, host, file)");
        }
    }

    private int Level(Token t)
    {
        int level = LoggingSettings.ParseLevel(t.Text);
        if (level < 0) throw Fail(t, $"logging level must be one of {string.Join(", ", LoggingSettings.LevelNames)} or 0-7, found '{t.Text}'");
        return level;
    }

    private void LoggingHost(bool negated)
    {
        var it = NameIfOrManagement();
        var at = Next("syslog server address");
        if (!IpAddr.TryParse(at.Text, out var address)) throw Fail(at, $"'{at.Text}' is not an IP address");
        if (negated)
        {
            // The server is named by interface and address; a transport after them is ignored, as on ASA.
            _pos = _tokens.Count;
            _syslogHosts.RemoveAll(h => h.NameIf == it.Text && h.Address == address);
            return;
        }
        var transport = SyslogTransport.Udp;
        int port = SyslogHost.DefaultUdpPort;
        if (!AtEnd)
        {
            var pt = Next("udp[/PORT] or tcp[/PORT]");
            string[] parts = pt.Text.Split('/', 2);
            transport = parts[0] switch
            {
                "udp" or "17" => SyslogTransport.Udp,
                "tcp" or "6" => SyslogTransport.Tcp,
                _ => throw Fail(pt, $"expected udp[/PORT] or tcp[/PORT], found '{pt.Text}'"),
            };
            if (parts.Length == 2)
            {
                if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                    throw Fail(pt, $"syslog port must be a number from 1 to 65535, found '{parts[1]}'");
            }
            else if (parts[0] is "6" or "17")
            {
                throw Fail(pt, $"'{pt.Text}' needs a port ({parts[0]}/PORT)");
            }
            else
            {
                port = transport == SyslogTransport.Tcp ? SyslogHost.DefaultTcpPort : SyslogHost.DefaultUdpPort;
            }
        }
        ExpectEnd();
        var host = new SyslogHost(it.Text, address, transport, port);
        int existing = _syslogHosts.FindIndex(h => h.NameIf == host.NameIf && h.Address == host.Address);
        if (existing >= 0) _syslogHosts[existing] = host;
        else _syslogHosts.Add(host);
    }

    private long LongIn(Token t, long min, long max, string what)
    {
        if (!long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
        {
            throw Fail(t, $"{what} must be a number from {min} to {max}, found '{t.Text}'");
        }
        return v;
    }

    private LoggingSettings BuildLogging() =>
        !_loggingEnabled && _trapLevel is null && _syslogHosts.Count == 0 && _jsonFileKBytes is null
            ? LoggingSettings.Off
            : new LoggingSettings(_loggingEnabled, _trapLevel, _syslogHosts.ToArray(), _jsonFileKBytes);
}
