using System.Diagnostics;
using Bridge.Daemon.Snort;

namespace Bridge.Rules.Tests.Scenarios;

/// <summary>
/// Each folder: <c>packets.py</c> (scapy, turned into a pcap here), <c>rules.rules</c> and
/// <c>expected-alerts.txt</c> (alert_fast lines). The rules include ones that must not fire.
/// Runs <c>bridged snort</c> in-process and compares stdout exactly.
/// </summary>
public class ScenarioTests
{
    public static TheoryData<string> Names => new(Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "Scenarios")).Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Names))]
    public void AlertsAsExpected(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Scenarios", name);
        string tmp = Directory.CreateTempSubdirectory("rules-scenario").FullName;
        try
        {
            string pcap = Path.Combine(tmp, name + ".pcap");
            BuildPcap(dir, pcap);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = SnortCommand.Run(["-r", pcap, "-R", Path.Combine(dir, "rules.rules"), "-A", "fast"], stdout, stderr);
            Assert.True(rc == 0, stderr.ToString());
            string rules = File.ReadAllText(Path.Combine(dir, "rules.rules"));
            int ruleCount = rules.Split('\n').Count(l => l.StartsWith("alert ", StringComparison.Ordinal));
            Assert.Equal($"rules: {ruleCount} loaded, 0 rejected", stderr.ToString().Split('\n')[0]);
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "expected-alerts.txt")).ReplaceLineEndings("\n"), stdout.ToString().ReplaceLineEndings("\n"));
        }
        finally
        {
            Directory.Delete(tmp, true);
        }
    }

    [Fact]
    public void JsonOutputHasOneObjectPerAlert()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Scenarios", "flowbits");
        string tmp = Directory.CreateTempSubdirectory("rules-scenario").FullName;
        try
        {
            string pcap = Path.Combine(tmp, "f.pcap");
            BuildPcap(dir, pcap);
            var stdout = new StringWriter();
            Assert.Equal(0, SnortCommand.Run(["-r", pcap, "-R", dir + "/rules.rules", "-A", "json"], stdout, new StringWriter()));
            var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["1:3002:1", "1:3003:1", "1:3004:1"], lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("rule").GetString()));
        }
        finally
        {
            Directory.Delete(tmp, true);
        }
    }

    [Fact]
    public void RunnerRefusesBadArguments()
    {
        var err = new StringWriter();
        Assert.Equal(2, SnortCommand.Run(["-R", "x.rules"], new StringWriter(), err));
        Assert.Equal(2, SnortCommand.Run(["-r", "x.pcap", "-R", "x.rules", "-A", "csv"], new StringWriter(), err));
        Assert.Equal(2, SnortCommand.Run(["-q"], new StringWriter(), err));
    }

    private static void BuildPcap(string scenarioDir, string pcap)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(Path.GetDirectoryName(scenarioDir)!, "make_pcap.py"), scenarioDir, pcap])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && File.Exists(pcap), $"scapy failed: {err}");
    }
}
