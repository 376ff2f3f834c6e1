namespace Bridge.Daemon.Tests.Systemd;

/// <summary>
/// The assignments of one section of a systemd unit file, in file order (a key may repeat, as
/// SystemCallFilter= does). Comments and blank lines are skipped; the unit uses no line
/// continuations, and <see cref="Parse"/> rejects them so that a future one is not misread.
/// </summary>
internal sealed class UnitFile
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    public static UnitFile Parse(string text)
    {
        var unit = new UnitFile();
        string section = "";
        int lineNo = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line.EndsWith('\\')) throw new FormatException($"line {lineNo}: continuation lines are not supported");
            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException($"line {lineNo}: not a key=value assignment: {line}");
            unit._entries.Add((section, line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
        return unit;
    }

    /// <summary>Every value assigned to <paramref name="key"/> in <paramref name="section"/>, in order.</summary>
    public IReadOnlyList<string> All(string section, string key) =>
        _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value).ToList();

    /// <summary>The single value of a key that must be assigned exactly once.</summary>
    public string One(string section, string key)
    {
        var values = All(section, key);
        Assert.True(values.Count == 1, $"[{section}] {key}= is assigned {values.Count} times, expected once");
        return values[0];
    }

    /// <summary>The space-separated words of every assignment of a list-valued key.</summary>
    public HashSet<string> Words(string section, string key) =>
        All(section, key).SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
}
