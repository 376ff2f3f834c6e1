using System.Diagnostics;

namespace Bridge.EndToEnd.Tests;

/// <summary>TCP through the bridge: bytes arrive intact, and a reload does not break what is established.</summary>
public sealed class TcpTransferTests
{
    private const int Port = 5001;
    private static string Tool(string name) => Path.Combine(AppContext.BaseDirectory, "tools", name);

    [Fact]
    public void Twenty_megabytes_from_A_to_B_arrive_intact()
    {
        using var lab = LiveLab.Up();
        var (sent, received) = Transfer(lab, 20 << 20, seconds: 0, midway: null);
        Assert.Equal($"{20 << 20}", sent.Split(' ')[0]);
        Assert.Equal(sent, received);

        // The connection's life as ASA syslog lines in the daemon's log.
        string log = lab.Down();
        Assert.Matches(@"%BRIDGE-6-302013: Built inbound TCP connection \d+ for OUTSIDE:192\.168\.101\.1/5001 \(192\.168\.101\.1/5001\) to INSIDE:192\.168\.103\.1/\d+", log);
        Assert.Matches(@"%BRIDGE-6-302014: Teardown TCP connection \d+ for OUTSIDE:192\.168\.101\.1/5001 to INSIDE:192\.168\.103\.1/\d+ duration \d+:\d\d:\d\d bytes \d{8,} TCP FINs", log);
    }

    [Fact]
    public void Sighup_with_a_changed_access_list_keeps_the_established_transfer_and_blocks_new_connections()
    {
        using var lab = LiveLab.Up();
        string denyTcp = LabConfigs.WithFirstRule(
            "access-list CSM_FW_ACL_ advanced deny tcp 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436491");

        var (sent, received) = Transfer(lab, 8 << 20, seconds: 4, midway: () =>
        {
            File.WriteAllText(lab.ConfigPath, denyTcp);
            lab.Reload().EnsureSuccess();
        });
        Assert.Equal(sent, received);

        // The new rule is in force: a new connection A -> B is denied, while ICMP still passes.
        var sink = lab.Start("hostB", "/usr/bin/python3", Tool("tcp_sink.py"), LiveLab.HostB, (Port + 1).ToString());
        try
        {
            Assert.Equal("listening", sink.StandardOutput.ReadLine());
            var attempt = lab.Exec("hostA", TimeSpan.FromSeconds(30), "/usr/bin/python3", "-c",
                $"import socket; socket.create_connection(('{LiveLab.HostB}', {Port + 1}), timeout=3)");
            Assert.NotEqual(0, attempt.ExitCode);
        }
        finally
        {
            sink.Kill();
            sink.Dispose();
        }
        lab.Ping(count: 2).EnsureSuccess();

        string log = lab.Down();
        Assert.Contains("Reloaded", log);
        Assert.True(LabConfigs.AspDrop(log, "acl-drop") >= 1, log);
    }

    [Fact]
    public void Two_workers_see_both_directions_of_each_flow()
    {
        // Only A -> B is permitted: a reply that reached the other worker would find no flow there
        // and meet the default deny, so every transfer completing proves the fanout pairs directions.
        string seed = LabConfigs.Seed;
        string oneWay = string.Join('\n', seed.Split('\n').Where(l => !l.Contains("rule-id 268436483", StringComparison.Ordinal)));
        Assert.NotEqual(seed, oneWay);
        using var lab = LiveLab.Up(config: oneWay, workers: 2);
        for (int i = 0; i < 8; i++)
        {
            var (sent, received) = Transfer(lab, 256 << 10, seconds: 0, midway: null);
            Assert.Equal(sent, received);
        }
        Assert.Contains("2 worker(s)", lab.Down());
    }

    /// <summary>Sends <paramref name="bytes"/> from A to B; runs <paramref name="midway"/> when the transfer is under way.</summary>
    internal static (string Sent, string Received) Transfer(LiveLab lab, int bytes, double seconds, Action? midway)
    {
        var (sent, received, _) = TimedTransfer(lab, bytes, seconds, midway);
        return (sent, received);
    }

    /// <summary><see cref="Transfer"/>, with the source's own time from connected to closed (process start-up excluded).</summary>
    internal static (string Sent, string Received, double Seconds) TimedTransfer(LiveLab lab, int bytes, double seconds, Action? midway)
    {
        using var sink = lab.Start("hostB", "/usr/bin/python3", Tool("tcp_sink.py"), LiveLab.HostB, Port.ToString());
        Assert.Equal("listening", sink.StandardOutput.ReadLine());
        using var source = lab.Start("hostA", "/usr/bin/python3", Tool("tcp_source.py"), LiveLab.HostB, Port.ToString(),
            bytes.ToString(), seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (midway is not null)
        {
            Thread.Sleep(TimeSpan.FromSeconds(seconds / 3));
            Assert.False(source.HasExited, "the transfer ended before the midway action: " + source.StandardError.ReadToEnd());
            midway();
        }
        string sent = ReadResult(source, "source");
        string received = ReadResult(sink, "sink");
        string said = source.StandardOutput.ReadToEnd();
        var elapsed = System.Text.RegularExpressions.Regex.Match(said, @"elapsed ([0-9.]+)");
        Assert.True(elapsed.Success, "the source did not report its time: " + said);
        return (sent, received, double.Parse(elapsed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string ReadResult(Process p, string what)
    {
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(90)))
        {
            p.Kill();
            throw new TimeoutException($"the {what} did not finish: {p.StandardError.ReadToEnd()}");
        }
        p.WaitForExit(10_000);
        return line.Result ?? throw new InvalidOperationException($"the {what} failed: {p.StandardError.ReadToEnd()}");
    }
}
