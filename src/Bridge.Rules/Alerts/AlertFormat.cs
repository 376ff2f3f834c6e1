using System.Globalization;
using System.Text;
using System.Text.Json;
using Bridge.Packets;
using Bridge.Pipeline.Core;

namespace Bridge.Rules.Alerts;

/// <summary>
/// Snort's alert_fast line and Snort 3's alert_json object. Times are UTC (Snort's <c>-U</c>).
/// alert_fast: <c>MM/DD-HH:MM:SS.uuuuuu  [**] [gid:sid:rev] msg [**] [Classification: c] [Priority: n] {PROTO} src:port -&gt; dst:port</c>.
/// </summary>
public static class AlertFormat
{
    public static string Fast(in AlertEvent a)
    {
        var r = a.Rule;
        var sb = new StringBuilder(160);
        sb.Append(Timestamp(a.TimeNs, withYear: false));
        sb.Append("  [**] [").Append(r.Gid).Append(':').Append(r.Sid).Append(':').Append(r.Rev).Append("] ");
        sb.Append(r.Message).Append(" [**] ");
        if (r.Classification.Length > 0) sb.Append("[Classification: ").Append(r.Classification).Append("] ");
        sb.Append("[Priority: ").Append(r.Priority).Append("] {").Append(ProtocolName(a.Protocol)).Append("} ");
        Endpoint(sb, a.Source, a.SourcePort, a.HasPorts);
        sb.Append(" -> ");
        Endpoint(sb, a.Destination, a.DestinationPort, a.HasPorts);
        return sb.ToString();
    }

    /// <summary>One JSON object per line with Snort 3's alert_json field names.</summary>
    public static string Json(in AlertEvent a)
    {
        var r = a.Rule;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", Timestamp(a.TimeNs, withYear: true));
            w.WriteNumber("pkt_num", a.PacketNumber);
            w.WriteString("proto", ProtocolName(a.Protocol));
            w.WriteNumber("pkt_len", a.PacketLength);
            w.WriteString("dir", !a.HasFlow ? "UNK" : a.ToServer ? "C2S" : "S2C");
            w.WriteString("src_addr", a.Source.ToString());
            if (a.HasPorts) w.WriteNumber("src_port", a.SourcePort);
            w.WriteString("dst_addr", a.Destination.ToString());
            if (a.HasPorts) w.WriteNumber("dst_port", a.DestinationPort);
            w.WriteString("src_ap", $"{a.Source}:{(a.HasPorts ? a.SourcePort : 0)}");
            w.WriteString("dst_ap", $"{a.Destination}:{(a.HasPorts ? a.DestinationPort : 0)}");
            w.WriteString("rule", $"{r.Gid}:{r.Sid}:{r.Rev}");
            w.WriteNumber("gid", r.Gid);
            w.WriteNumber("sid", r.Sid);
            w.WriteNumber("rev", r.Rev);
            w.WriteString("action", Action(a));
            w.WriteString("msg", r.Message);
            w.WriteString("class", r.Classification.Length > 0 ? r.Classification : "none");
            w.WriteNumber("priority", r.Priority);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Action(in AlertEvent a) => a.Verdict switch
    {
        InspectorVerdict.BlockFlow => "block",
        InspectorVerdict.BlockPacket => "drop",
        InspectorVerdict.Reject => "reject",
        _ => a.WouldBlock ? (a.Rule.Action switch { RuleAction.Block => "would_block", RuleAction.Reject => "would_reject", _ => "would_drop" }) : "allow",
    };

    public static string Timestamp(long ns, bool withYear)
    {
        var t = DateTime.UnixEpoch.AddTicks(ns / 100);
        long micros = ns / 1000 % 1_000_000;
        string date = withYear
            ? t.ToString("yy/MM/dd-HH:mm:ss", CultureInfo.InvariantCulture)
            : t.ToString("MM/dd-HH:mm:ss", CultureInfo.InvariantCulture);
        return date + "." + micros.ToString("D6", CultureInfo.InvariantCulture);
    }

    public static string ProtocolName(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => "TCP",
        IpProtocol.Udp => "UDP",
        IpProtocol.Icmp => "ICMP",
        IpProtocol.IcmpV6 => "IPV6-ICMP",
        _ => "PROTO:" + protocol.ToString("D3", CultureInfo.InvariantCulture),
    };

    private static void Endpoint(StringBuilder sb, IpAddr ip, ushort port, bool hasPorts)
    {
        sb.Append(ip.ToString());
        if (hasPorts) sb.Append(':').Append(port);
    }
}

/// <summary>Writes each event as one alert_fast or alert_json line.</summary>
public sealed class TextAlertSink(TextWriter writer, bool json) : IAlertSink
{
    public long Count { get; private set; }

    public void Alert(in AlertEvent alert)
    {
        writer.WriteLine(json ? AlertFormat.Json(alert) : AlertFormat.Fast(alert));
        Count++;
    }
}
