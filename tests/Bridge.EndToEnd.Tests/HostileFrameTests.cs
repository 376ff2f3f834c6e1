using System.Text.Json;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// Reliability issue §2 on the live lab: host A sends a burst of hostile frames while it pings
/// host B. The ping loses nothing, show asp drop counts each frame under its reason, and the
/// daemon logs no exception.
/// </summary>
public sealed class HostileFrameTests
{
    private static string Tool(string name) => Path.Combine(AppContext.BaseDirectory, "tools", name);

    [Fact]
    public async Task Burst_of_hostile_frames_is_counted_per_reason_while_a_ping_loses_nothing()
    {
        using var lab = LiveLab.Up();
        lab.Ping(count: 1).EnsureSuccess();
        var before = lab.Cli("show asp drop").EnsureSuccess().Stdout;

        using var ping = lab.Start("hostA", "ping", "-c", "25", "-i", "0.2", "-W", "1", "-s", "32", LiveLab.HostB);
        var pingOut = ping.StandardOutput.ReadToEndAsync();
        await Task.Delay(1000);
        var burst = lab.Exec("hostA", "/usr/bin/python3", Tool("hostile_burst.py"), "a0", "02:1a:b0:00:00:0a", "02:1a:b0:00:00:0b").EnsureSuccess();
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await ping.WaitForExitAsync(limit.Token);
        }
        string pingText = await pingOut;
        Assert.True(ping.ExitCode == 0, pingText);
        Assert.Contains("25 packets transmitted, 25 received, 0% packet loss", pingText);

        var expected = JsonSerializer.Deserialize<Dictionary<string, long>>(burst.Stdout.Trim())!;
        Assert.True(expected.Count >= 12, burst.Stdout);
        var after = lab.Cli("show asp drop").EnsureSuccess().Stdout;
        foreach (var (keyword, count) in expected)
        {
            long moved = LabConfigs.AspDrop(after, keyword) - LabConfigs.AspDrop(before, keyword);
            Assert.True(count == moved, $"{keyword}: sent {count}, counted {moved}\n{after}");
        }

        string log = lab.Down();
        Assert.DoesNotContain("Exception", log);
        Assert.DoesNotContain("Unhandled", log);
    }
}
