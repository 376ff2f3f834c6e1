namespace Bridge.Pipeline.Counters;

/// <summary>A counter declared by a stage: its group (the stage's FTD name), name and help text.</summary>
public sealed record CounterDef(int Index, string Group, string Name, string Help);

/// <summary>
/// The one list of data-plane counters. Stages declare theirs in static fields at type load;
/// each worker then owns a plain <c>long[]</c> of <see cref="Count"/> slots that only it writes,
/// and readers sum the workers' arrays. No atomics on the data path.
/// </summary>
public static class CounterRegistry
{
    private static readonly List<CounterDef> Defs = new();
    private static readonly object Gate = new();

    public static CounterDef Declare(string group, string name, string help)
    {
        lock (Gate)
        {
            foreach (var d in Defs)
            {
                if (d.Group == group && d.Name == name) return d;
            }
            var def = new CounterDef(Defs.Count, group, name, help);
            Defs.Add(def);
            return def;
        }
    }

    /// <summary>Upper bound of counter slots a worker allocates; declarations past it are a programming error.</summary>
    public const int Capacity = 256;

    public static int Count
    {
        get { lock (Gate) return Defs.Count; }
    }

    public static IReadOnlyList<CounterDef> All
    {
        get { lock (Gate) return Defs.ToArray(); }
    }
}
