using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Bridge.Packets;
using Bridge.Pipeline.Trace;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>
/// Prints traces in the three forms (FTD text, xml, json) for one synthetic packet, a pcap replay,
/// its stored packets and its path summary. The JSON shapes are documented in
/// <c>packet-tracer.schema.json</c> beside this file.
/// </summary>
public static class TraceOutput
{
    public const string SchemaId = "https://bridge.invalid/schemas/packet-tracer.schema.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static TraceRenderOptions Options(bool detailed) => new(detailed, Timing: true);

    public static CommandResult Single(TraceSink trace, bool detailed, TraceFormat format, JsonObject packet)
    {
        var json = TraceJsonRenderer.Render(trace, Options(detailed));
        json["packet"] = packet;
        string text = format switch
        {
            TraceFormat.Xml => TraceXmlRenderer.Render(trace, Options(detailed)),
            TraceFormat.Json => json.ToJsonString(Indented) + "\n",
            _ => TraceRenderer.Render(trace, Options(detailed)),
        };
        return CommandResult.Ok(text, json);
    }

    /// <summary>The answer to the replay itself: how many packets, and the path summary (the traces are shown with show packet-tracer).</summary>
    public static CommandResult Replay(PcapTraceSet set, TraceFormat format)
    {
        var json = SetJson(set, set.Packets, set.Detailed);
        string text = format switch
        {
            TraceFormat.Xml => SetXml(set, set.Packets, set.Detailed),
            TraceFormat.Json => json.ToJsonString(Indented) + "\n",
            _ => SummaryText(set) + "\nShow a packet's trace with: show packet-tracer packet-number N [detailed]\n",
        };
        return CommandResult.Ok(text, json);
    }

    /// <summary><c>show packet-tracer [packet-number N] [detailed]</c>: each packet's line, then its trace, as show capture ... trace prints it.</summary>
    public static CommandResult Stored(PcapTraceSet set, IReadOnlyList<TracedPacket> packets, bool detailed)
    {
        var sb = new StringBuilder();
        if (packets.Count > 1) sb.Append(CultureInfo.InvariantCulture, $"{set.Packets.Count} packets traced from {set.File}\n\n");
        foreach (var p in packets)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{p.Number,4}: {Clock(p.TimestampNs)} {p.Ingress} {p.Summary}\n");
            sb.Append(TraceRenderer.Render(p.Trace, Options(detailed))).Append('\n');
        }
        sb.Append(packets.Count == 1 ? "1 packet shown\n" : string.Create(CultureInfo.InvariantCulture, $"{packets.Count} packets shown\n"));
        return CommandResult.Ok(sb.ToString(), SetJson(set, packets, detailed));
    }

    public static CommandResult Summary(PcapTraceSet set) => CommandResult.Ok(SummaryText(set), SummaryJson(set));

    /// <summary>One path: the phases a packet went through (type, subtype, result) and how it ended.</summary>
    public static string PathOf(TraceSink t)
    {
        var sb = new StringBuilder();
        foreach (var p in t.Phases)
        {
            if (sb.Length > 0) sb.Append(" > ");
            sb.Append(p.Type);
            if (p.Subtype.Length > 0) sb.Append(' ').Append(p.Subtype);
            if (!p.Allowed) sb.Append(" DROP");
        }
        sb.Append(" => ").Append(Ending(t));
        return sb.ToString();
    }

    private static string Ending(TraceSink t) =>
        t.Allowed ? "allow" : t.Drop == DropReason.None ? "drop" : "drop (" + DropCatalogue.Keyword(t.Drop) + ")";

    private static List<(string Path, TraceSink Example, List<int> Packets)> Paths(PcapTraceSet set)
    {
        var paths = new List<(string, TraceSink, List<int>)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in set.Packets)
        {
            string key = PathOf(p.Trace);
            if (!index.TryGetValue(key, out int i))
            {
                i = paths.Count;
                index[key] = i;
                paths.Add((key, p.Trace, []));
            }
            paths[i].Item3.Add(p.Number);
        }
        return paths;
    }

    private static string SummaryText(PcapTraceSet set)
    {
        var paths = Paths(set);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{set.Packets.Count} packets traced from {set.File} (input {set.Interface}), {paths.Count} distinct path{(paths.Count == 1 ? "" : "s")}\n");
        if (set.Truncated) sb.Append(CultureInfo.InvariantCulture, $"Stopped after {set.Packets.Count} packets (limit {PcapTracer.MaxPackets}).\n");
        int n = 1;
        foreach (var (path, example, packets) in paths)
        {
            sb.Append('\n');
            sb.Append(CultureInfo.InvariantCulture, $"Path {n++}: {packets.Count} packet{(packets.Count == 1 ? "" : "s")}, Action: {Ending(example)}\n");
            sb.Append("  Packets: ").Append(string.Join(", ", packets.Take(12))).Append(packets.Count > 12 ? ", ..." : "").Append('\n');
            foreach (var p in example.Phases)
            {
                sb.Append("  ").Append(p.Type);
                if (p.Subtype.Length > 0) sb.Append(" (").Append(p.Subtype).Append(')');
                sb.Append(": ").Append(p.Allowed ? "ALLOW" : "DROP").Append('\n');
            }
        }
        return sb.ToString();
    }

    private static JsonObject SummaryJson(PcapTraceSet set)
    {
        var arr = new JsonArray();
        foreach (var (_, example, packets) in Paths(set))
        {
            var phases = new JsonArray();
            foreach (var p in example.Phases)
            {
                phases.Add(new JsonObject { ["type"] = p.Type, ["subtype"] = p.Subtype, ["result"] = p.Allowed ? "ALLOW" : "DROP" });
            }
            var numbers = new JsonArray();
            foreach (int n in packets) numbers.Add(n);
            var path = new JsonObject { ["count"] = packets.Count, ["action"] = example.Allowed ? "allow" : "drop", ["phases"] = phases, ["packets"] = numbers };
            if (!example.Allowed && example.Drop != DropReason.None) path["dropReason"] = DropCatalogue.Keyword(example.Drop);
            arr.Add(path);
        }
        return new JsonObject
        {
            ["file"] = set.File,
            ["interface"] = set.Interface,
            ["packetCount"] = set.Packets.Count,
            ["truncated"] = set.Truncated,
            ["paths"] = arr,
        };
    }

    private static JsonObject SetJson(PcapTraceSet set, IReadOnlyList<TracedPacket> packets, bool detailed)
    {
        var arr = new JsonArray();
        foreach (var p in packets)
        {
            arr.Add(new JsonObject
            {
                ["number"] = p.Number,
                ["timestamp"] = Iso(p.TimestampNs),
                ["ingressInterface"] = p.Ingress,
                ["summary"] = p.Summary,
                ["trace"] = TraceJsonRenderer.Render(p.Trace, Options(detailed)),
            });
        }
        return new JsonObject
        {
            ["file"] = set.File,
            ["interface"] = set.Interface,
            ["packetCount"] = set.Packets.Count,
            ["truncated"] = set.Truncated,
            ["packets"] = arr,
            ["summary"] = SummaryJson(set)["paths"]!.DeepClone(),
        };
    }

    private static string SetXml(PcapTraceSet set, IReadOnlyList<TracedPacket> packets, bool detailed)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, TraceXmlRenderer.Settings()))
        {
            w.WriteStartElement("packet-tracer-pcap");
            w.WriteAttributeString("file", set.File);
            w.WriteAttributeString("interface", set.Interface);
            w.WriteAttributeString("packets", set.Packets.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var p in packets)
            {
                w.WriteStartElement("packet");
                w.WriteAttributeString("number", p.Number.ToString(CultureInfo.InvariantCulture));
                w.WriteAttributeString("timestamp", Iso(p.TimestampNs));
                w.WriteAttributeString("ingress", p.Ingress);
                w.WriteAttributeString("summary", p.Summary);
                TraceXmlRenderer.WriteTrace(w, p.Trace, Options(detailed));
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        return sb.Append('\n').ToString();
    }

    private static DateTimeOffset Time(long ns) => DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).AddTicks(ns % 1_000_000 / 100);

    private static string Iso(long ns) => Time(ns).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Clock(long ns) => Time(ns).UtcDateTime.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
