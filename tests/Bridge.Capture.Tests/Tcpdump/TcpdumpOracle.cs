using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Bridge.Capture.Tcpdump;

namespace Bridge.Capture.Tests.Tcpdump;

/// <summary>
/// Runs the real tcpdump (the oracle) and Bridge's <c>tcpdump -r</c> on the same arguments, both
/// in UTC, and compares what they print.
/// </summary>
public static partial class TcpdumpOracle
{
    public sealed record Output(string Stdout, string Stderr, int ExitCode);

    public static Output Real(IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo("tcpdump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["TZ"] = "UTC";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tcpdump did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Output(stdout, stderr.Result, process.ExitCode);
    }

    public static Output Bridge(IReadOnlyList<string> args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = TcpdumpOffline.Run(args, stdout, stderr, ServiceNames.System, TimeZoneInfo.Utc);
        return new Output(stdout.ToString(), stderr.ToString(), code);
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{6} ")]
    private static partial Regex RecordStart();

    [GeneratedRegex(@"^\t0x[0-9a-f]{4}:  ")]
    private static partial Regex HexLine();

    // A TCP line: "Flags [..]" and later the first ", length N" that ends tcpdump's TCP part.
    [GeneratedRegex(@"^(?<keep>.*?Flags \[[^\]]*\].*?, length \d+)(?<app>.+)$")]
    private static partial Regex TcpWithApplication();

    // A UDP line of Bridge: the endpoints with ports, optional checksum note, then "UDP, length N".
    [GeneratedRegex(@"^(?<endpoints>.*\.[\w-]+ > .*\.[\w-]+: (\[[^\]]*\] )?)UDP, length \d+$")]
    private static partial Regex BridgeUdp();

    /// <summary>
    /// tcpdump's text with its application-layer decoding removed the documented way (NOTES.md):
    /// a TCP line is cut after its <c>length N</c> and the decode lines that follow it in the
    /// packet go (hex dump lines stay). UDP lines are compared by <see cref="Compare"/>.
    /// </summary>
    public static List<string> WithoutApplicationLayer(string tcpdumpText)
    {
        var lines = new List<string>();
        bool droppingDecode = false;
        foreach (var line in tcpdumpText.Split('\n'))
        {
            if (RecordStart().IsMatch(line)) droppingDecode = false;
            else if (droppingDecode && line.Length > 0 && !HexLine().IsMatch(line)) continue;
            var tcp = TcpWithApplication().Match(line);
            if (tcp.Success && tcp.Groups["app"].Value.StartsWith(':'))
            {
                lines.Add(tcp.Groups["keep"].Value);
                droppingDecode = true;
                continue;
            }
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>
    /// Compares line by line. Where Bridge printed <c>UDP, length N</c> and tcpdump decoded the
    /// application instead (DNS and the like), the endpoints must agree and tcpdump's line may go on
    /// with its decode: that is the one place Bridge's line is knowingly shorter. Returns null when
    /// equal, else the first difference.
    /// </summary>
    public static string? Compare(string tcpdumpText, string bridgeText)
    {
        var expected = WithoutApplicationLayer(tcpdumpText);
        var actual = bridgeText.Split('\n');
        int count = Math.Max(expected.Count, actual.Length);
        for (int i = 0; i < count; i++)
        {
            string e = i < expected.Count ? expected[i] : "<missing>";
            string a = i < actual.Length ? actual[i] : "<missing>";
            if (e == a) continue;
            var udp = BridgeUdp().Match(a);
            if (udp.Success && e.StartsWith(udp.Groups["endpoints"].Value, StringComparison.Ordinal)
                && !e.AsSpan(udp.Groups["endpoints"].Length).StartsWith("UDP, length", StringComparison.Ordinal))
            {
                continue;
            }
            var context = new StringBuilder();
            context.Append("line ").Append(i + 1).Append('\n')
                .Append("tcpdump: ").Append(e).Append('\n')
                .Append("bridge:  ").Append(a);
            return context.ToString();
        }
        return null;
    }
}
