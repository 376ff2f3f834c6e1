using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// Reliability across a daemon restart on the live lab: captures keep their packets through kill -9
/// and SIGTERM, the running config is what write memory saved, and counters start over with
/// "Last clearing" saying when.
/// </summary>
public sealed class RestartTests
{
    // CaptureListing.TraceLostLine (this project drives the daemon from outside and references no code of it).
    private const string TraceLost = "Trace information is not available for this packet: it was captured before bridged restarted, and traces are kept in memory only.";
    private const string Icmp = "match icmp host 192.168.103.1 host 192.168.101.1";

    private static string[] PacketLines(string text) =>
        [.. text.Split('\n').Where(l => Regex.IsMatch(l, @"^\s+\d+: \d\d:\d\d:\d\d\.\d{6} "))];

    [Fact]
    public void Captures_survive_kill_9_and_sigterm_and_new_packets_append()
    {
        using var lab = LiveLab.Up(workers: 2);
        lab.Cli($"capture CAPI interface INSIDE {Icmp}").EnsureSuccess();
        lab.Cli($"capture CAPT interface INSIDE trace {Icmp}").EnsureSuccess();
        var ping = lab.Ping(count: 4, size: 32);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        string list = lab.Cli("show capture").EnsureSuccess().Stdout;
        string before = lab.Cli("show capture CAPI").EnsureSuccess().Stdout;
        Assert.Equal(8, PacketLines(before).Length);
        Assert.Contains("Type: CAPTURE", lab.Cli("show capture CAPT packet-number 1 trace").EnsureSuccess().Stdout);

        lab.Restart().EnsureSuccess();

        Assert.Equal(list, lab.Cli("show capture").EnsureSuccess().Stdout);
        Assert.Equal(before, lab.Cli("show capture CAPI").EnsureSuccess().Stdout);
        // The packet is there; its trace was an in-memory object of the killed process.
        string traced = lab.Cli("show capture CAPT packet-number 1 trace").EnsureSuccess().Stdout;
        Assert.Contains(TraceLost, traced);
        Assert.DoesNotContain("Phase:", traced);
        string log = File.ReadAllText(lab.LogPath);
        Assert.Contains($"capture CAPI restored from {lab.RuntimeDirectory}/captures: 8 packets, 624 bytes", log);

        ping = lab.Ping(count: 4, size: 32);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        string after = lab.Cli("show capture CAPI").EnsureSuccess().Stdout;
        var lines = PacketLines(after);
        Assert.Equal(16, lines.Length);
        Assert.Equal(PacketLines(before), lines[..8]);
        Assert.Equal(4, lines[8..].Count(l => l.EndsWith("192.168.103.1 > 192.168.101.1: icmp: echo request", StringComparison.Ordinal)));
        Assert.Equal(4, lines[8..].Count(l => l.EndsWith("192.168.101.1 > 192.168.103.1: icmp: echo reply", StringComparison.Ordinal)));

        // A clean stop (systemctl restart) keeps them as well.
        lab.Restart(term: true).EnsureSuccess();
        Assert.Equal(after, lab.Cli("show capture CAPI").EnsureSuccess().Stdout);

        // no capture removes the files; the next restart has nothing to restore.
        lab.Cli("no capture CAPT").EnsureSuccess();
        Assert.False(File.Exists(Path.Combine(lab.RuntimeDirectory, "captures", "CAPT.def")));
        lab.Restart().EnsureSuccess();
        string final = lab.Cli("show capture").EnsureSuccess().Stdout;
        Assert.Contains("capture CAPI type raw-data interface INSIDE [Capturing - 1248 bytes]", final);
        Assert.DoesNotContain("CAPT", final);
    }

    [Fact]
    public void After_a_restart_the_running_config_is_what_write_memory_saved_and_counters_start_over()
    {
        using var lab = LiveLab.Up();
        lab.Cli("timeout udp 0:05:00").EnsureSuccess();
        Assert.Equal("Building configuration...\n[OK]\n", lab.Cli("write memory").EnsureSuccess().Stdout);
        string saved = lab.Cli("show running-config").EnsureSuccess().Stdout;
        // A change after the save is lost by the restart, as on FTD after a reload.
        lab.Cli("timeout icmp 0:00:07").EnsureSuccess();
        Assert.Contains("timeout icmp 0:00:07", lab.Cli("show running-config").EnsureSuccess().Stdout);
        lab.Cli("clear asp drop").EnsureSuccess();
        Assert.Matches(@"Last clearing: \d\d:\d\d:\d\d UTC \w{3} \d+ \d{4} by root\n", lab.Cli("show asp drop").EnsureSuccess().Stdout);

        var start = DateTimeOffset.UtcNow;
        lab.Restart().EnsureSuccess();

        string running = lab.Cli("show running-config").EnsureSuccess().Stdout;
        Assert.Equal(saved, running);
        Assert.Contains("timeout udp 0:05:00", running);
        Assert.DoesNotContain("timeout icmp 0:00:07", running);
        string drops = lab.Cli("show asp drop").EnsureSuccess().Stdout;
        var clearings = Regex.Matches(drops, @"Last clearing: (\d\d:\d\d:\d\d) UTC (\w{3} \d+ \d{4}) by bridged start\n");
        Assert.Equal(2, clearings.Count);
        var when = DateTimeOffset.ParseExact(clearings[0].Groups[2].Value + " " + clearings[0].Groups[1].Value, "MMM d yyyy HH:mm:ss",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(when, start.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }
}
