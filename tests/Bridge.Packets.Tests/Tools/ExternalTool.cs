using System.Diagnostics;

namespace Bridge.Packets.Tests;

/// <summary>Runs tshark/tcpdump/text2pcap as independent oracles and returns their stdout.</summary>
internal static class ExternalTool
{
    public static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        }
        return stdout;
    }

    /// <summary>
    /// tshark -T fields over a file: one string[] per frame, one entry per field. With
    /// <paramref name="occurrence"/> 'a' repeated fields are joined by commas; 'f' keeps the first
    /// (the outer header of an ICMP error, for instance).
    /// </summary>
    public static List<string[]> TsharkFields(string path, string[] fields, string[]? extraArgs = null, char occurrence = 'a')
    {
        var args = new List<string> { "-n", "-r", path, "-T", "fields", "-E", "separator=|", "-E", $"occurrence={occurrence}", "-E", "aggregator=," };
        args.AddRange(extraArgs ?? []);
        foreach (var f in fields)
        {
            args.Add("-e");
            args.Add(f);
        }
        var output = Run("tshark", args.ToArray());
        var rows = new List<string[]>();
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0) continue;
            rows.Add(line.Split('|'));
        }
        return rows;
    }
}

/// <summary>A temporary file removed on dispose, even when the test fails.</summary>
internal sealed class TempFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bridge-packets-{Guid.NewGuid():N}.pcap");

    public void Dispose()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }
}
