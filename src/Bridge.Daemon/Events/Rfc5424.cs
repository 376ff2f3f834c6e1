using System.Globalization;
using System.Text;

namespace Bridge.Daemon.Events;

/// <summary>
/// Syslog messages as RFC 5424 has them:
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME bridged - MSGID [bridge@32473 src="…" …] MSG</c>. PRI is
/// facility local4 (FTD's default) × 8 + severity, TIMESTAMP is UTC with microseconds, MSGID the
/// ASA message id (<c>302013</c>), and the event's fields form one SD-ELEMENT. 32473 is the private
/// enterprise number RFC 5612 reserves for documentation: Bridge has none of its own, and
/// receivers only need the SD-ID to be stable. MSG is the ASA text, preceded by a BOM only when it
/// is not plain ASCII (the RFC's MSG-UTF8).
/// </summary>
public static class Rfc5424
{
    public const string SdId = "bridge@32473";

    public const string AppName = "bridged";

    public static string Format(BridgeEvent e, string hostname)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(256);
        int pri = JournalWriter.Facility * 8 + e.Severity;
        sb.Append('<').Append(pri.ToString(inv)).Append(">1 ");
        sb.Append(e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", inv)).Append(' ');
        sb.Append(Header(hostname, 255)).Append(' ');
        sb.Append(AppName).Append(" - ");
        sb.Append(e.MessageId.ToString(inv)).Append(' ');
        if (e.Fields.Count == 0)
        {
            sb.Append('-');
        }
        else
        {
            sb.Append('[').Append(SdId);
            foreach (var (name, value) in e.Fields)
            {
                sb.Append(' ').Append(name).Append("=\"");
                foreach (char c in value)
                {
                    // PARAM-VALUE escapes exactly these three.
                    if (c is '"' or '\\' or ']') sb.Append('\\');
                    sb.Append(c);
                }
                sb.Append('"');
            }
            sb.Append(']');
        }
        sb.Append(' ');
        if (!Ascii.IsValid(e.Text)) sb.Append('\uFEFF');
        sb.Append(e.Text);
        return sb.ToString();
    }

    /// <summary>A header field: printable US-ASCII without spaces, at most <paramref name="max"/> characters; "-" when empty.</summary>
    private static string Header(string value, int max)
    {
        var sb = new StringBuilder(Math.Min(value.Length, max));
        foreach (char c in value)
        {
            if (sb.Length == max) break;
            if (c is > ' ' and < '\u007f') sb.Append(c);
        }
        return sb.Length == 0 ? "-" : sb.ToString();
    }
}
