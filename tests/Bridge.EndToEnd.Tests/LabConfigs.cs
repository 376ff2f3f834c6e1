using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>Variants of config/lab.conf for the tests: the real file with one change each.</summary>
public static class LabConfigs
{
    public static string Seed => File.ReadAllText(Path.Combine(LiveLab.Root, "config", "lab.conf"));

    /// <summary>The seed config with an access-list entry placed before the seed's first permit.</summary>
    public static string WithFirstRule(string ace)
    {
        string seed = Seed;
        int at = seed.IndexOf("access-list CSM_FW_ACL_ remark rule-id 268436482", StringComparison.Ordinal);
        Assert.True(at >= 0, "config/lab.conf no longer has the seed rule 268436482");
        return seed[..at] + ace + "\n" + seed[at..];
    }

    /// <summary>The seed config with an mtu on every nameif.</summary>
    public static string WithMtu(int mtu) =>
        Regex.Replace(Seed, "^ nameif (\\S+)$", m => $"{m.Value}\n mtu {mtu}", RegexOptions.Multiline);

    /// <summary>The count of one asp-drop keyword in a 'show asp drop' text (0 when absent).</summary>
    public static long AspDrop(string text, string keyword)
    {
        var m = Regex.Match(text, $"\\({Regex.Escape(keyword)}\\)\\s+(\\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value) : 0;
    }
}
