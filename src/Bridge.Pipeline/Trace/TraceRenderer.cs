using System.Text;
using Bridge.Packets;

namespace Bridge.Pipeline.Trace;

/// <summary>Options of the FTD text rendering of a trace.</summary>
public sealed record TraceRenderOptions(bool Detailed = false, bool Timing = false);

/// <summary>
/// Renders a trace as FTD prints it (ftd-reference §3.1, §4.4): six header lines per phase, a blank
/// line between phases, then the Result block. Output lines are omitted when the drop happened
/// before the egress interface was known, as FTD does.
/// </summary>
public static class TraceRenderer
{
    public static string Render(TraceSink trace, TraceRenderOptions? options = null)
    {
        options ??= new TraceRenderOptions();
        var sb = new StringBuilder();
        int n = 1;
        foreach (var p in trace.Phases)
        {
            sb.Append("Phase: ").Append(n++).Append('\n');
            sb.Append("Type: ").Append(p.Type).Append('\n');
            sb.Append("Subtype: ").Append(p.Subtype).Append('\n');
            sb.Append("Result: ").Append(p.Allowed ? "ALLOW" : "DROP").Append('\n');
            if (options.Timing)
            {
                sb.Append("Elapsed time: ").Append(p.ElapsedNs).Append(" ns\n");
            }
            sb.Append("Config:\n");
            foreach (var c in p.Config) sb.Append(c).Append('\n');
            sb.Append("Additional Information:\n");
            foreach (var i in p.Info) sb.Append(i).Append('\n');
            if (options.Detailed)
            {
                foreach (var d in p.Detail) sb.Append(d).Append('\n');
            }
            sb.Append('\n');
        }
        RenderResult(sb, trace, options);
        return sb.ToString();
    }

    private static void RenderResult(StringBuilder sb, TraceSink trace, TraceRenderOptions options)
    {
        sb.Append("Result:\n");
        sb.Append("input-interface: ").Append(trace.InputInterface).Append('\n');
        sb.Append("input-status: ").Append(trace.InputUp ? "up" : "down").Append('\n');
        sb.Append("input-line-status: ").Append(trace.InputUp ? "up" : "down").Append('\n');
        if (trace.OutputInterface is not null)
        {
            sb.Append("output-interface: ").Append(trace.OutputInterface).Append('\n');
            sb.Append("output-status: ").Append(trace.OutputUp ? "up" : "down").Append('\n');
            sb.Append("output-line-status: ").Append(trace.OutputUp ? "up" : "down").Append('\n');
        }
        sb.Append("Action: ").Append(trace.Allowed ? "allow" : "drop").Append('\n');
        if (options.Timing)
        {
            sb.Append("Time Taken: ").Append(trace.TotalNs).Append(" ns\n");
        }
        if (!trace.Allowed && trace.Drop != DropReason.None)
        {
            sb.Append("Drop-reason: (").Append(DropCatalogue.Keyword(trace.Drop)).Append(") ")
              .Append(DropCatalogue.Label(trace.Drop, trace.DropSection)).Append('\n');
        }
    }
}
