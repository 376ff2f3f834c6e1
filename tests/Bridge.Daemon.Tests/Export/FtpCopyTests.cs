namespace Bridge.Daemon.Tests.Export;

/// <summary><c>copy … ftp:</c> against vsftpd on 127.0.0.1 with a throw-away local user.</summary>
public sealed class FtpCopyTests
{
    /// <summary>vsftpd with its own configuration, a user, and the directory it writes into.</summary>
    private sealed class Vsftpd : IDisposable
    {
        private readonly OpenDirectory _dir = new("bridge-ftp-");
        private readonly ServerProcess _server;

        public Vsftpd()
        {
            Directory.CreateDirectory(_dir.Combine("empty"));
            User = new ThrowawayUser(_dir.Combine("home"));
            Port = FreePort.Tcp();
            int pasv = FreePort.Tcp();
            string conf = _dir.Combine("vsftpd.conf");
            File.WriteAllText(conf, $"""
                listen=YES
                listen_ipv6=NO
                listen_address=127.0.0.1
                listen_port={Port}
                background=NO
                anonymous_enable=NO
                local_enable=YES
                write_enable=YES
                local_umask=022
                pasv_enable=YES
                pasv_min_port={pasv}
                pasv_max_port={pasv + 10}
                seccomp_sandbox=NO
                secure_chroot_dir={_dir.Combine("empty")}
                pam_service_name=vsftpd
                delay_failed_login=0
                """ + "\n");
            try
            {
                _server = ServerProcess.Start("/usr/sbin/vsftpd", conf);
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

        public ThrowawayUser User { get; }

        public int Port { get; }

        public string Output => _server.Output;

        public string PathOf(string name) => Path.Combine(User.Home, name);

        public void Dispose()
        {
            _server.Dispose();
            User.Dispose();
            _dir.Dispose();
        }
    }

    [Fact]
    public async Task Copy_pcap_with_the_dialog_and_no_password_shown()
    {
        using var bench = new CopyBench();
        using var ftp = new Vsftpd();
        await bench.PingCaptureAsync();
        string user = ftp.User.Name, password = ftp.User.Password;

        var t = await bench.RunAsync($"copy /pcap capture:CAPI ftp://{user}:{password}@127.0.0.1:{ftp.Port}/CAPI.pcap");

        Assert.True(t.Result.Status == 0, t.Everything + ftp.Output);
        Assert.Equal(
            ["Source capture name [CAPI]? ", "Address or name of remote host [127.0.0.1]? ", $"Destination username [{user}]? ", "Destination password [****]? ", "Destination filename [CAPI.pcap]? "],
            t.Prompts.Select(p => p.Prompt));
        Assert.True(t.Prompts[3].Secret);
        Assert.DoesNotContain(password, t.Everything);
        Assert.Matches(@"^\n8 packets copied in \d+\.\d{3} secs( \(\d+ packets/sec\))?\n$", t.Result.Text);
        Assert.Equal(await bench.PcapOfAsync("CAPI"), File.ReadAllBytes(ftp.PathOf("CAPI.pcap")));
        Assert.Equal(8, Tshark.CountPackets(ftp.PathOf("CAPI.pcap")));
    }

    [Fact]
    public async Task Wrong_password_gives_the_server_530_text_without_the_password()
    {
        using var bench = new CopyBench();
        using var ftp = new Vsftpd();
        await bench.PingCaptureAsync();
        const string wrong = "Wrong-Secret-42";

        var t = await bench.RunAsync($"copy /noconfirm /pcap capture:CAPI ftp://{ftp.User.Name}:{wrong}@127.0.0.1:{ftp.Port}/CAPI.pcap");

        Assert.Equal(1, t.Result.Status);
        Assert.Equal($"%Error writing ftp://{ftp.User.Name}:****@127.0.0.1:{ftp.Port}/CAPI.pcap (530 Login incorrect.)\n", t.Result.Text);
        Assert.DoesNotContain(wrong, t.Everything);
        Assert.False(File.Exists(ftp.PathOf("CAPI.pcap")));
    }

    [Fact]
    public async Task Without_pcap_the_show_capture_text_is_copied()
    {
        using var bench = new CopyBench();
        using var ftp = new Vsftpd();
        await bench.PingCaptureAsync();

        var t = await bench.RunAsync($"copy /noconfirm capture:CAPI ftp://{ftp.User.Name}:{ftp.User.Password}@127.0.0.1:{ftp.Port}/capi.txt");

        Assert.True(t.Result.Status == 0, t.Everything + ftp.Output);
        Assert.Empty(t.Prompts);
        string text = File.ReadAllText(ftp.PathOf("capi.txt"));
        Assert.Equal(await bench.TextOfAsync("CAPI"), text);
        Assert.StartsWith("8 packets captured\n\n   1: ", text);
        Assert.EndsWith("8 packets shown\n", text);
    }
}
