using System.Diagnostics;
using Bridge.Packets;

namespace Bridge.Pipeline.Trace;

/// <summary>One phase of a trace, as FTD prints it: Type, Subtype, Result, Config lines, Additional Information.</summary>
public sealed class Phase
{
    public required string Type { get; init; }
    public string Subtype { get; init; } = "";
    public bool Allowed { get; init; } = true;
    public IReadOnlyList<string> Config { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Info { get; init; } = Array.Empty<string>();
    /// <summary>Extra lines shown only with <c>detail</c> (ASP rule dumps, module lists).</summary>
    public IReadOnlyList<string> Detail { get; init; } = Array.Empty<string>();
    public long ElapsedNs { get; set; }
}

/// <summary>
/// Collects the phases a traced packet went through. Attached to a packet only while tracing, so
/// every stage's trace code sits behind one null check and costs nothing otherwise.
/// </summary>
public sealed class TraceSink
{
    private readonly List<Phase> _phases = new();
    private long _mark = Stopwatch.GetTimestamp();
    private readonly long _start = Stopwatch.GetTimestamp();

    public IReadOnlyList<Phase> Phases => _phases;

    public string InputInterface { get; set; } = "";
    public string? OutputInterface { get; set; }
    public bool InputUp { get; set; } = true;
    public bool OutputUp { get; set; } = true;
    public bool Allowed { get; set; } = true;
    public DropReason Drop { get; set; }
    public DropSection DropSection { get; set; }
    public long TotalNs { get; set; }

    /// <summary>Adds a phase; its elapsed time is the time since the previous phase was added.</summary>
    public void Add(Phase phase)
    {
        long now = Stopwatch.GetTimestamp();
        phase.ElapsedNs = (long)((now - _mark) * (1e9 / Stopwatch.Frequency));
        _mark = now;
        _phases.Add(phase);
    }

    public void Add(string type, string subtype, bool allowed, IReadOnlyList<string>? config = null, IReadOnlyList<string>? info = null, IReadOnlyList<string>? detail = null) =>
        Add(new Phase
        {
            Type = type,
            Subtype = subtype,
            Allowed = allowed,
            Config = config ?? Array.Empty<string>(),
            Info = info ?? Array.Empty<string>(),
            Detail = detail ?? Array.Empty<string>(),
        });

    public void Finish()
    {
        TotalNs = (long)((Stopwatch.GetTimestamp() - _start) * (1e9 / Stopwatch.Frequency));
    }
}
