using System.Text.Json.Nodes;
using Bridge.Packets;

namespace Bridge.Pipeline.Trace;

/// <summary>
/// Renders a trace as the <c>json</c> form of packet-tracer: the same facts as the FTD text, with
/// the FMC's field names in camel case (ftd-reference §4.4). The schema is
/// <c>src/Bridge.Daemon/Commands/PacketTracer/packet-tracer.schema.json</c> (definition <c>trace</c>).
/// </summary>
public static class TraceJsonRenderer
{
    public static JsonObject Render(TraceSink trace, TraceRenderOptions? options = null)
    {
        options ??= new TraceRenderOptions();
        var phases = new JsonArray();
        int n = 1;
        foreach (var p in trace.Phases)
        {
            var phase = new JsonObject
            {
                ["id"] = n++,
                ["type"] = p.Type,
                ["subtype"] = p.Subtype,
                ["result"] = p.Allowed ? "ALLOW" : "DROP",
            };
            if (options.Timing) phase["elapsedTimeNs"] = p.ElapsedNs;
            phase["config"] = Array(p.Config);
            phase["additionalInformation"] = Array(p.Info);
            if (options.Detailed) phase["detail"] = Array(p.Detail);
            phases.Add(phase);
        }

        var result = new JsonObject
        {
            ["inputInterface"] = trace.InputInterface,
            ["inputStatus"] = trace.InputUp ? "up" : "down",
            ["inputLineStatus"] = trace.InputUp ? "up" : "down",
        };
        if (trace.OutputInterface is not null)
        {
            result["outputInterface"] = trace.OutputInterface;
            result["outputStatus"] = trace.OutputUp ? "up" : "down";
            result["outputLineStatus"] = trace.OutputUp ? "up" : "down";
        }
        result["action"] = trace.Allowed ? "allow" : "drop";
        if (options.Timing) result["timeTakenNs"] = trace.TotalNs;
        if (!trace.Allowed && trace.Drop != DropReason.None)
        {
            result["dropReason"] = new JsonObject
            {
                ["keyword"] = DropCatalogue.Keyword(trace.Drop),
                ["description"] = DropCatalogue.Label(trace.Drop, trace.DropSection),
                ["section"] = trace.DropSection == DropSection.Flow ? "flow" : "frame",
            };
        }
        return new JsonObject { ["phases"] = phases, ["result"] = result };
    }

    private static JsonArray Array(IReadOnlyList<string> lines)
    {
        var a = new JsonArray();
        foreach (var l in lines) a.Add(l);
        return a;
    }
}
