using System.Text;
using System.Xml;
using Bridge.Packets;

namespace Bridge.Pipeline.Trace;

/// <summary>
/// Renders a trace as the <c>xml</c> form of packet-tracer (ftd-reference §4.4): one
/// <c>&lt;Phase&gt;</c> element per phase with FTD's child names (<c>id</c>, <c>type</c>,
/// <c>subtype</c>, <c>result</c>, <c>config</c>, <c>extra</c>), then the <c>&lt;result&gt;</c>
/// block. FTD prints these elements without a document element; a <c>&lt;packet-tracer&gt;</c>
/// root is added so the output is a well-formed document that any XML parser reads.
/// </summary>
public static class TraceXmlRenderer
{
    public const string RootElement = "packet-tracer";

    public static string Render(TraceSink trace, TraceRenderOptions? options = null)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, Settings()))
        {
            w.WriteStartElement(RootElement);
            WriteTrace(w, trace, options ?? new TraceRenderOptions());
            w.WriteEndElement();
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>Writes the phases and the result block of <paramref name="trace"/> into an open element.</summary>
    public static void WriteTrace(XmlWriter w, TraceSink trace, TraceRenderOptions options)
    {
        int n = 1;
        foreach (var p in trace.Phases)
        {
            w.WriteStartElement("Phase");
            w.WriteElementString("id", (n++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteElementString("type", p.Type);
            w.WriteElementString("subtype", p.Subtype);
            w.WriteElementString("result", p.Allowed ? "ALLOW" : "DROP");
            if (options.Timing) w.WriteElementString("elapsed-time", Ns(p.ElapsedNs));
            w.WriteElementString("config", Lines(p.Config));
            var extra = options.Detailed && p.Detail.Count > 0 ? [.. p.Info, .. p.Detail] : p.Info;
            w.WriteElementString("extra", Lines(extra));
            w.WriteEndElement();
        }

        w.WriteStartElement("result");
        w.WriteElementString("input-interface", trace.InputInterface);
        w.WriteElementString("input-status", trace.InputUp ? "up" : "down");
        w.WriteElementString("input-line-status", trace.InputUp ? "up" : "down");
        if (trace.OutputInterface is not null)
        {
            w.WriteElementString("output-interface", trace.OutputInterface);
            w.WriteElementString("output-status", trace.OutputUp ? "up" : "down");
            w.WriteElementString("output-line-status", trace.OutputUp ? "up" : "down");
        }
        w.WriteElementString("action", trace.Allowed ? "allow" : "drop");
        if (options.Timing) w.WriteElementString("time-taken", Ns(trace.TotalNs));
        if (!trace.Allowed && trace.Drop != DropReason.None)
        {
            w.WriteElementString("drop-reason", $"({DropCatalogue.Keyword(trace.Drop)}) {DropCatalogue.Label(trace.Drop, trace.DropSection)}");
        }
        w.WriteEndElement();
    }

    public static XmlWriterSettings Settings() => new()
    {
        Indent = true,
        IndentChars = "  ",
        OmitXmlDeclaration = true,
        NewLineChars = "\n",
        ConformanceLevel = ConformanceLevel.Document,
    };

    private static string Ns(long ns) => ns.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ns";

    private static string Lines(IReadOnlyList<string> lines) => string.Join('\n', lines);
}
