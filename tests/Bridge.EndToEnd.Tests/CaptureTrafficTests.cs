using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// capture-traffic on the live lab: the dialog answered through bridgectl's piped input, the pings
/// through the bridge shown as tcpdump shows them, as the rules engine sees them.
/// </summary>
public sealed class CaptureTrafficTests
{
    private const string Rule = "alert tcp any any -> any 7 (msg:\"BRIDGE-LAB echo port\"; sid:1000100; rev:1;)";

    private static readonly Regex PacketLine = new(@"^\d\d:\d\d:\d\d\.\d{6} ", RegexOptions.Compiled);

    [Fact]
    public void Pings_through_the_bridge_show_as_tcpdump_lines()
    {
        string rules = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.rules");
        File.WriteAllText(rules, Rule + "\n");
        try
        {
            using var lab = LiveLab.Up(config: LabConfigs.Seed + $"\nsnort rules {rules}\n");

            // INSIDE frames carry VLAN 1577: as with tcpdump, they match only behind "vlan".
            using var capture = LiveLab.StartProcess(lab.Script, ["--prefix", lab.Prefix, "cli", "-c", "capture-traffic"]);
            var output = new StringBuilder();
            var listening = new ManualResetEventSlim();
            capture.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (output) output.Append(e.Data).Append('\n');
                if (e.Data.Contains("listening on Router")) listening.Set();
            };
            capture.BeginOutputReadLine();
            var errors = capture.StandardError.ReadToEndAsync();
            capture.StandardInput.WriteLine("1");
            capture.StandardInput.WriteLine("-n -c 8 icmp or (vlan and icmp)");
            capture.StandardInput.Close();
            try
            {
                Assert.True(listening.Wait(TimeSpan.FromSeconds(30)), $"capture-traffic did not start:\n{output}\n{errors}");

                lab.Ping(count: 4, size: 32).EnsureSuccess();

                Assert.True(capture.WaitForExit(30_000), $"capture-traffic did not stop after 8 packets:\n{output}");
                capture.WaitForExit();
            }
            finally
            {
                if (!capture.HasExited) capture.Kill(entireProcessTree: true);
            }

            string text;
            lock (output) text = output.ToString();
            Assert.Equal(0, capture.ExitCode);
            Assert.Contains("Please choose domain to capture traffic from:", text);
            Assert.Contains("Options: ", text);
            var lines = text.Split('\n').Where(l => PacketLine.IsMatch(l)).ToList();
            Assert.Equal(8, lines.Count);
            var requests = lines.Where(l => l.Contains(" IP 192.168.103.1 > 192.168.101.1: ICMP echo request, id ")).ToList();
            var replies = lines.Where(l => l.Contains(" IP 192.168.101.1 > 192.168.103.1: ICMP echo reply, id ")).ToList();
            Assert.Equal(4, requests.Count);
            Assert.Equal(4, replies.Count);
            for (int seq = 1; seq <= 4; seq++)
            {
                Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{6}} IP 192\.168\.103\.1 > 192\.168\.101\.1: ICMP echo request, id \d+, seq {seq}, length 40$", requests[seq - 1]);
                Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{6}} IP 192\.168\.101\.1 > 192\.168\.103\.1: ICMP echo reply, id \d+, seq {seq}, length 40$", replies[seq - 1]);
            }
            Assert.Contains("8 packets captured\n", text);
            // The session took its taps away: a second ping is not shown anywhere and nothing hangs.
            lab.Ping(count: 1).EnsureSuccess();
        }
        finally
        {
            File.Delete(rules);
        }
    }
}
