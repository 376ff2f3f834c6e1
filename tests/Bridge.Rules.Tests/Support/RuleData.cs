namespace Bridge.Rules.Tests.Support;

/// <summary>Where the shared rule sets and pcaps live (beside the worktree).</summary>
internal static class RuleData
{
    public static string Root => Find("data/rules");
    public static string Pcaps => Find("data/pcaps");

    private static string Find(string relative)
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "shared", relative);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return Path.Combine("/work/shared", relative);
    }
}
