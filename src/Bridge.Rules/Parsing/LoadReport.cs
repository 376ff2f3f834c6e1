namespace Bridge.Rules.Parsing;

/// <summary>A rule the engine refused, and why.</summary>
public sealed record Rejection(string File, int Line, uint? Sid, string Reason, string? Detail)
{
    public override string ToString() =>
        $"{File}:{Line}: sid {(Sid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")}: {Reason}{(Detail is null ? "" : $" ({Detail})")}";
}

/// <summary>What a load did: rules kept, rules refused (with reasons counted), and file-level notes.</summary>
public sealed class LoadReport
{
    private readonly List<Rejection> _rejections = [];
    private readonly Dictionary<string, int> _byReason = new(StringComparer.Ordinal);

    public int Loaded { get; internal set; }
    public int Rejected => _rejections.Count;
    public IReadOnlyList<Rejection> Rejections => _rejections;
    /// <summary>Missing files, ignored configuration lines and similar notes.</summary>
    public List<string> Notes { get; } = [];
    public List<string> Files { get; } = [];

    /// <summary>Rejection counts by reason, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByReason =>
        [.. _byReason.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)];

    public double LoadedFraction => Loaded + Rejected == 0 ? 0 : (double)Loaded / (Loaded + Rejected);

    internal void Reject(Rejection r)
    {
        _rejections.Add(r);
        _byReason[r.Reason] = _byReason.GetValueOrDefault(r.Reason) + 1;
    }

    /// <summary>The summary the runner prints on stderr: first line <c>rules: N loaded, M rejected</c>, then reasons.</summary>
    public string Summary()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"rules: {Loaded} loaded, {Rejected} rejected\n");
        foreach (var (reason, count) in ByReason)
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {count,6}  {reason}\n");
        return sb.ToString();
    }
}
