using System.Diagnostics;
using Bridge.Daemon.Export;

namespace Bridge.Daemon.Tests.Export;

/// <summary><c>copy … scp:</c> against OpenSSH's sshd on 127.0.0.1 with its own host key and a throw-away user.</summary>
public sealed class ScpCopyTests
{
    private sealed class Sshd : IDisposable
    {
        private readonly OpenDirectory _dir = new("bridge-scp-");
        private readonly ServerProcess _server;

        public Sshd()
        {
            Directory.CreateDirectory("/run/sshd");
            string key = _dir.Combine("host_ed25519");
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key);
            HostKeyBase64 = File.ReadAllText(key + ".pub").Split(' ')[1];
            User = new ThrowawayUser(_dir.Combine("home"));
            Port = FreePort.Tcp();
            string conf = _dir.Combine("sshd_config");
            File.WriteAllText(conf, $"""
                HostKey {key}
                PasswordAuthentication yes
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                UsePAM no
                PidFile none
                StrictModes no
                PermitRootLogin no
                AllowUsers {User.Name}
                """ + "\n");
            try
            {
                _server = ServerProcess.Start("/usr/sbin/sshd", "-D", "-e", "-f", conf, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", "ListenAddress=127.0.0.1");
                _server.WaitTcp(Port);
            }
            catch
            {
                _server?.Dispose();
                User.Dispose();
                _dir.Dispose();
                throw;
            }
        }

        public string HostKeyBase64 { get; }

        public ThrowawayUser User { get; }

        public int Port { get; }

        public string Output => _server.Output;

        public string WaitOutput(string text, TimeSpan timeout) => _server.WaitOutput(text, timeout);

        public string PathOf(string name) => Path.Combine(User.Home, name);

        public void Dispose()
        {
            _server.Dispose();
            User.Dispose();
            _dir.Dispose();
        }

        public static void Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{file} failed: {err}");
        }
    }

    [Fact]
    public async Task Unknown_host_asks_no_aborts_yes_records_the_key_and_copies()
    {
        using var bench = new CopyBench();
        using var sshd = new Sshd();
        await bench.PingCaptureAsync();
        string known = Path.Combine(bench.Paths.StateDirectory, KnownHosts.FileName);
        string url = $"scp://{sshd.User.Name}:{sshd.User.Password}@127.0.0.1:{sshd.Port}/CAPI.pcap";

        var refused = await bench.RunAsync($"copy /pcap capture:CAPI {url}", "", "", "", "", "no");
        Assert.Equal(1, refused.Result.Status);
        Assert.Equal(
            ["Source capture name [CAPI]? ", "Address or name of remote host [127.0.0.1]? ", $"Destination username [{sshd.User.Name}]? ", "Destination filename [CAPI.pcap]? "],
            refused.Prompts.Take(4).Select(p => p.Prompt));
        string question = refused.Prompts[4].Prompt;
        Assert.StartsWith("The authenticity of host '127.0.0.1 (127.0.0.1)' can't be established.\nED25519 key fingerprint is <", question);
        Assert.EndsWith(">(SHA256).\nAre you sure you want to continue connecting (yes/no)? ", question);
        Assert.Contains("Host key verification failed.", refused.Result.Text);
        Assert.False(File.Exists(known));
        Assert.False(File.Exists(sshd.PathOf("CAPI.pcap")));
        Assert.DoesNotContain(sshd.User.Password, refused.Everything);

        var accepted = await bench.RunAsync($"copy /pcap capture:CAPI {url}", "", "", "", "", "yes");
        Assert.True(accepted.Result.Status == 0, accepted.Everything + sshd.Output);
        Assert.Equal($"[127.0.0.1]:{sshd.Port} ssh-ed25519 {sshd.HostKeyBase64}\n", File.ReadAllText(known));
        Assert.StartsWith("Warning: Permanently added '127.0.0.1' (ED25519) to the list of known hosts.\n!", accepted.Streamed);
        Assert.Matches(@"^\n8 packets copied in \d+\.\d{3} secs( \(\d+ packets/sec\))?\n$", accepted.Result.Text);
        Assert.DoesNotContain(sshd.User.Password, accepted.Everything);
        Assert.Equal(await bench.PcapOfAsync("CAPI"), File.ReadAllBytes(sshd.PathOf("CAPI.pcap")));
        Assert.Equal(8, Tshark.CountPackets(sshd.PathOf("CAPI.pcap")));

        // Known now: no question, even from a caller that cannot answer.
        var again = await bench.RunAsync($"copy /noconfirm capture:CAPI {url.Replace("CAPI.pcap", "capi.txt", StringComparison.Ordinal)}", interactive: false);
        Assert.True(again.Result.Status == 0, again.Everything);
        Assert.Equal(await bench.TextOfAsync("CAPI"), File.ReadAllText(sshd.PathOf("capi.txt")));
    }

    [Fact]
    public async Task Changed_host_key_is_refused_with_a_warning()
    {
        using var bench = new CopyBench();
        using var sshd = new Sshd();
        await bench.PingCaptureAsync();
        // A key of the same type that is not the server's.
        byte[] blob = Convert.FromBase64String(sshd.HostKeyBase64);
        blob[^1] ^= 0xFF;
        Directory.CreateDirectory(bench.Paths.StateDirectory);
        string known = Path.Combine(bench.Paths.StateDirectory, KnownHosts.FileName);
        File.WriteAllText(known, $"[127.0.0.1]:{sshd.Port} ssh-ed25519 {Convert.ToBase64String(blob)}\n");

        var t = await bench.RunAsync($"copy /pcap capture:CAPI scp://{sshd.User.Name}:{sshd.User.Password}@127.0.0.1:{sshd.Port}/CAPI.pcap", "", "", "", "", "yes");

        Assert.Equal(1, t.Result.Status);
        Assert.Equal(4, t.Prompts.Count);
        Assert.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", t.Result.Text);
        Assert.Contains("Host key verification failed.", t.Result.Text);
        Assert.False(File.Exists(sshd.PathOf("CAPI.pcap")));
        Assert.Single(File.ReadAllLines(known));
    }

    [Fact]
    public async Task Wrong_password_is_refused_without_echoing_it()
    {
        using var bench = new CopyBench();
        using var sshd = new Sshd();
        await bench.PingCaptureAsync();
        var known = new KnownHosts(Path.Combine(bench.Paths.StateDirectory, KnownHosts.FileName));
        known.Add("127.0.0.1", sshd.Port, Convert.FromBase64String(sshd.HostKeyBase64));
        const string wrong = "Not-The-Password-7";

        var t = await bench.RunAsync($"copy /noconfirm /pcap capture:CAPI scp://{sshd.User.Name}:{wrong}@127.0.0.1:{sshd.Port}/CAPI.pcap");

        Assert.Equal(1, t.Result.Status);
        Assert.StartsWith($"%Error writing scp://{sshd.User.Name}:****@127.0.0.1:{sshd.Port}/CAPI.pcap (", t.Result.Text);
        Assert.DoesNotContain(wrong, t.Everything);
    }

    [Fact]
    public async Task Without_a_password_the_state_directory_identity_logs_in()
    {
        using var bench = new CopyBench();
        using var sshd = new Sshd();
        await bench.PingCaptureAsync();
        var known = new KnownHosts(Path.Combine(bench.Paths.StateDirectory, KnownHosts.FileName));
        known.Add("127.0.0.1", sshd.Port, Convert.FromBase64String(sshd.HostKeyBase64));
        // The daemon's key pair: private half in the state directory, public half authorised by the user.
        string identity = Path.Combine(bench.Paths.StateDirectory, Bridge.Daemon.Commands.Copy.CopyCommand.IdentityFileName);
        Sshd.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bridged", "-f", identity);
        string sshDir = sshd.PathOf(".ssh");
        Directory.CreateDirectory(sshDir);
        File.Copy(identity + ".pub", Path.Combine(sshDir, "authorized_keys"));
        Sshd.Run("chown", "-R", sshd.User.Name, sshDir);

        var t = await bench.RunAsync($"copy /noconfirm /pcap capture:CAPI scp://{sshd.User.Name}@127.0.0.1:{sshd.Port}/CAPI.pcap");

        Assert.True(t.Result.Status == 0, t.Everything + sshd.Output);
        Assert.Equal(await bench.PcapOfAsync("CAPI"), File.ReadAllBytes(sshd.PathOf("CAPI.pcap")));
        Assert.Contains("publickey", sshd.WaitOutput("publickey", TimeSpan.FromSeconds(10)));

        // Without the identity and without a password there is nothing to log in with: said plainly.
        File.Delete(identity);
        var none = await bench.RunAsync($"copy /noconfirm /pcap capture:CAPI scp://{sshd.User.Name}@127.0.0.1:{sshd.Port}/again.pcap");
        Assert.Equal(1, none.Result.Status);
        Assert.Contains("no password given and no SSH identity in the state directory", none.Result.Text);
    }
}
