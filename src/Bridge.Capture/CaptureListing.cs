using System.Globalization;
using System.Text;
using Bridge.Packets;
using Bridge.Pipeline.Trace;

namespace Bridge.Capture;

/// <summary>The options of <c>show capture NAME</c> (ftd-reference §2.1).</summary>
public sealed record ShowCaptureOptions
{
    public bool Detail { get; init; }
    public bool Dump { get; init; }
    /// <summary>First packet to show (1-based); with no <see cref="Count"/> only that packet is shown.</summary>
    public long? PacketNumber { get; init; }
    public long? Count { get; init; }
    public bool Trace { get; init; }
    public bool TraceDetail { get; init; }
    /// <summary>Display filter (<c>access-list ACL</c>); null shows every packet.</summary>
    public Func<FrameInfo, bool>? Filter { get; init; }
}

/// <summary>The text of <c>show capture</c>: the list of captures, or the packets of one.</summary>
public static class CaptureListing
{
    /// <summary>
    /// One list entry (ftd-reference §2.2): the configuration line with its bracketed status, then
    /// each match line indented by two spaces.
    /// </summary>
    public static string ListEntry(CaptureContents c)
    {
        var sb = new StringBuilder(c.Definition.Summary());
        string state = c.Definition.Stopped ? "Stopped" : c.Full ? "Buffer Full" : "Capturing";
        sb.Append(" [").Append(state).Append(" - ").Append(c.Bytes.ToString(CultureInfo.InvariantCulture)).Append(" bytes]\n");
        foreach (var m in c.Definition.Matches) sb.Append("  ").Append(m).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Printed instead of the phases of a traced packet whose trace did not survive a restart of
    /// bridged (the packet itself did: traces are kept in memory only).
    /// </summary>
    public const string TraceLostLine = "Trace information is not available for this packet: it was captured before bridged restarted, and traces are kept in memory only.";

    /// <summary>The per-packet form (ftd-reference §2.4, §3.1).</summary>
    public static string Packets(CaptureContents c, ShowCaptureOptions o)
    {
        var sb = new StringBuilder();
        int total = c.Packets.Count;
        sb.Append(total).Append(total == 1 || total == 0 ? " packet captured\n\n" : " packets captured\n\n");
        long start = o.PacketNumber ?? 1;
        long limit = o.Count ?? (o.PacketNumber is null ? long.MaxValue : 1);
        int shown = 0;
        bool detail = o.Detail || o.TraceDetail;
        for (int i = (int)Math.Max(0, Math.Min(start - 1, total)); i < total && shown < limit; i++)
        {
            var p = c.Packets[i];
            if (o.Filter is not null && !o.Filter(AsaPacketFormat.Decode(p, out _))) continue;
            shown++;
            sb.Append(PacketLine(p, i + 1, detail));
            if (o.Dump) sb.Append(AsaPacketFormat.Dump(p));
            // A trace still being written (the packet is in flight) has no total time yet.
            if (o.Trace && p.Trace is { TotalNs: > 0 } trace)
            {
                sb.Append('\n').Append(TraceRenderer.Render(trace, new TraceRenderOptions(Detailed: o.TraceDetail))).Append('\n');
            }
            else if (o.Trace && p.TraceLost)
            {
                sb.Append('\n').Append(TraceLostLine).Append('\n');
            }
        }
        sb.Append(shown).Append(shown == 1 || shown == 0 ? " packet shown\n" : " packets shown\n");
        return sb.ToString();
    }

    /// <summary>One numbered packet line (two lines with <paramref name="detail"/>), newline included.</summary>
    public static string PacketLine(CapturedPacket p, int number, bool detail)
    {
        var sb = new StringBuilder();
        sb.Append(number.ToString(CultureInfo.InvariantCulture).PadLeft(4)).Append(": ").Append(Timestamp(p.TimeNs));
        sb.Append(detail ? " " : "       ");
        sb.Append(AsaPacketFormat.Describe(p, detail));
        if (p.Direction == CaptureDirection.Drop && p.Drop != DropReason.None)
        {
            sb.Append(" Drop-reason: (").Append(DropCatalogue.Keyword(p.Drop)).Append(") ").Append(DropCatalogue.Label(p.Drop, p.Section));
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>Wall-clock <c>HH:MM:SS.uuuuuu</c> in the box's time zone, as the device clock shows it.</summary>
    public static string Timestamp(long unixNs)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(unixNs / 1_000_000).ToLocalTime();
        long micros = unixNs / 1000 % 1_000_000;
        if (micros < 0) micros += 1_000_000;
        return t.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "." + micros.ToString("D6", CultureInfo.InvariantCulture);
    }
}
