namespace Bridge.Pipeline.Tests.Support;

/// <summary>
/// Compares text with an expected-output file beside the test. BRIDGE_UPDATE_GOLDEN=1 rewrites the
/// file in the source tree instead (review the diff before committing it).
/// </summary>
public static class Golden
{
    public static void Match(string scenarioDir, string file, string actual)
    {
        string built = Path.Combine(AppContext.BaseDirectory, "Scenarios", scenarioDir, file);
        if (Environment.GetEnvironmentVariable("BRIDGE_UPDATE_GOLDEN") == "1")
        {
            string src = Path.Combine(SourceDir(), "Scenarios", scenarioDir, file);
            File.WriteAllText(src, actual);
            return;
        }
        Assert.True(File.Exists(built), $"missing expected output {built} (run with BRIDGE_UPDATE_GOLDEN=1 and review)");
        Assert.Equal(File.ReadAllText(built).ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }

    public static string Read(string scenarioDir, string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scenarios", scenarioDir, file));

    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
