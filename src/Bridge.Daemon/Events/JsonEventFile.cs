using System.Text;
using System.Text.Json;

namespace Bridge.Daemon.Events;

/// <summary>
/// <c>logging file json</c>: every event, one JSON object per line, in <c>events.json</c> (rotated
/// by size like the alert files): <c>timestamp</c> (UTC, ISO 8601), <c>msgid</c>, <c>severity</c>,
/// <c>level</c>, <c>text</c> (the ASA line), then the event's fields (<c>protocol</c>, <c>src</c>,
/// <c>src_port</c>, <c>dst</c>, <c>dst_port</c>, …), counts and ports as numbers.
/// Written from the event pump's thread only.
/// </summary>
public sealed class JsonEventFile(string path, long maxBytes, int keep) : IDisposable
{
    public const string FileName = "events.json";

    // Fields that are numbers in JSON; the rest are strings.
    private static readonly HashSet<string> Numeric = new(StringComparer.Ordinal)
    {
        "src_port", "dst_port", "conn_id", "bytes", "icmp_type", "icmp_code", "gid", "sid", "rev", "priority",
    };

    private readonly RotatingFile _file = new(path, maxBytes, keep);
    private readonly MemoryStream _buffer = new();

    public string Path => _file.Path;

    public long MaxBytes => _file.MaxBytes;

    public long Lines => _file.Lines;

    public void Write(BridgeEvent e) => _file.WriteLine(Line(e));

    public void Flush() => _file.Flush();

    /// <summary>The JSON object of one event, without the newline.</summary>
    public string Line(BridgeEvent e)
    {
        _buffer.SetLength(0);
        using (var w = new Utf8JsonWriter(_buffer))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("msgid", e.MessageId);
            w.WriteNumber("severity", e.Severity);
            w.WriteString("level", Pipeline.Config.LoggingSettings.LevelNames[Math.Clamp(e.Severity, 0, 7)]);
            w.WriteString("text", e.Text);
            foreach (var (name, value) in e.Fields)
            {
                if (Numeric.Contains(name) && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
                    w.WriteNumber(name, n);
                else
                    w.WriteString(name, value);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
    }

    public void Dispose() => _file.Dispose();
}
