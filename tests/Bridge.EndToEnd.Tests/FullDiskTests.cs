using System.Text;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// A full disk under the capture directory (a 256 KiB tmpfs mounted on a directory of the test's
/// own, given to the lab daemon as its capture directory, unmounted in finally): capture-traffic -w and copy … disk: say so
/// clearly, leave no broken file, and the daemon goes on forwarding.
/// </summary>
public sealed class FullDiskTests
{
    [Fact]
    public async Task Capture_files_on_a_full_disk_fail_clearly_leave_nothing_broken_and_forwarding_goes_on()
    {
        string rules = Path.Combine(Path.GetTempPath(), $"e2e-disk-{Guid.NewGuid():N}.rules");
        File.WriteAllText(rules, "alert icmp any any -> any any (msg:\"BRIDGE-LAB any ping\"; sid:1000104; rev:1;)\n");
        // Mounted before the daemon starts: 'ip netns exec' gives it a mount namespace of its own,
        // which later mounts of the host's (private) namespace do not reach.
        string captures = Path.Combine(Path.GetTempPath(), $"e2e-full-{Guid.NewGuid():N}");
        Directory.CreateDirectory(captures);
        LiveLab.Run("mount", ["-t", "tmpfs", "-o", "size=256k,mode=0750", "bridge-e2e-full", captures], TimeSpan.FromSeconds(10)).EnsureSuccess();
        try
        {
            using var lab = LiveLab.Up(config: LabConfigs.Seed + $"\nsnort rules {rules}\n",
                environment: new Dictionary<string, string> { ["Bridge__CaptureDirectory"] = captures });
            lab.Ping(count: 2).EnsureSuccess();
            lab.Cli("capture CAPI buffer 4000000 interface INSIDE match icmp any any").EnsureSuccess();

            // capture-traffic -w: the engine's view of a ping flood, about 840 KB of pcap for 256 KiB of disk.
            using var session = LiveLab.StartProcess(lab.Script, ["--prefix", lab.Prefix, "cli", "-c", "capture-traffic"]);
            var output = new StringBuilder();
            var listening = new ManualResetEventSlim();
            session.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (output) output.Append(e.Data).Append('\n');
                if (e.Data.Contains("listening on Router")) listening.Set();
            };
            session.BeginOutputReadLine();
            var errors = session.StandardError.ReadToEndAsync();
            session.StandardInput.WriteLine("1");
            session.StandardInput.WriteLine("-w flood.pcap -c 600 icmp or (vlan and icmp)");
            session.StandardInput.Close();
            try
            {
                Assert.True(listening.Wait(TimeSpan.FromSeconds(30)), $"capture-traffic did not start:\n{output}");
                lab.Exec("hostA", "ping", "-f", "-c", "300", "-s", "1400", "-W", "1", LiveLab.HostB);
                Assert.True(session.WaitForExit(30_000), $"capture-traffic did not end:\n{output}");
                session.WaitForExit();
            }
            finally
            {
                if (!session.HasExited) session.Kill(entireProcessTree: true);
            }
            string said;
            string stderr = await errors;
            lock (output) said = output + stderr;
            Assert.NotEqual(0, session.ExitCode);
            string flood = Path.Combine(captures, "flood.pcap");
            Assert.Contains($"%Error writing {flood} (No space left on device); the file keeps the ", said);
            // What was kept is a whole pcap: tshark reads every record without complaint.
            int kept = Tshark(flood);
            Assert.True(kept > 50, $"{kept} packets kept\n{said}");
            Assert.Contains($"the file keeps the {kept} packets written before", said);

            // copy to the still full disk: refused, and no partial file left behind.
            var copy = lab.Cli("copy /noconfirm /pcap capture:CAPI disk:big.pcap");
            Assert.NotEqual(0, copy.ExitCode);
            Assert.Contains("%Error writing disk:big.pcap (No space left on device)", copy.Stdout + copy.Stderr);
            Assert.Equal(["flood.pcap"], Directory.GetFiles(captures).Select(Path.GetFileName));

            // Space freed: a small capture copies whole.
            File.Delete(flood);
            lab.Cli("capture CAPS interface INSIDE match icmp any any").EnsureSuccess();
            lab.Ping(count: 2).EnsureSuccess();
            lab.Cli("copy /noconfirm /pcap capture:CAPS disk:small.pcap").EnsureSuccess();
            Assert.Equal(4, Tshark(Path.Combine(captures, "small.pcap")));

            // The daemon went on forwarding throughout.
            lab.Ping(count: 4).EnsureSuccess();
            Assert.Contains("bridged: running", LiveLab.Run(lab.Script, ["--prefix", lab.Prefix, "status"], TimeSpan.FromSeconds(30)).Stdout);
        }
        finally
        {
            LiveLab.Run("umount", [captures], TimeSpan.FromSeconds(10));
            Directory.Delete(captures, recursive: true);
            File.Delete(rules);
        }
    }

    private static int Tshark(string pcap)
    {
        var read = LiveLab.Run("tshark", ["-r", pcap, "-T", "fields", "-e", "frame.number"], TimeSpan.FromSeconds(60)).EnsureSuccess();
        // Only tshark's warning about running as root may be said: a cut-short record would be reported here.
        var complaints = read.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("Running as user", StringComparison.Ordinal));
        Assert.Empty(complaints);
        return read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
