namespace Bridge.Pipeline.Tests.Config;

/// <summary>Locates files of the repository (config examples) from the test output directory.</summary>
internal static class RepoFiles
{
    public static string Path(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Bridge.sln")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new FileNotFoundException("Bridge.sln not found above " + AppContext.BaseDirectory);
        }
        return System.IO.Path.Combine(dir.FullName, relative);
    }
}
