using Bridge.Daemon.Export;

namespace Bridge.Daemon.Tests.Export;

/// <summary>Destination URLs, password redaction, and <c>disk:</c> staying inside the capture directory.</summary>
public sealed class ExportUrlTests
{
    [Fact]
    public void Ftp_url_parts_and_a_display_without_the_password()
    {
        var u = ExportUrl.Parse("ftp://ftp_username:p%40ss:w@192.168.78.73/CAPI.pcap");
        Assert.Equal(ExportScheme.Ftp, u.Scheme);
        Assert.Equal("ftp_username", u.User);
        Assert.Equal("p@ss:w", u.Password);
        Assert.Equal("192.168.78.73", u.Host);
        Assert.Equal(21, u.EffectivePort);
        Assert.Equal("CAPI.pcap", u.Path);
        Assert.Equal("ftp://ftp_username:****@192.168.78.73/CAPI.pcap", u.ToString());
    }

    [Theory]
    [InlineData("tftp://192.168.78.73", ExportScheme.Tftp, "192.168.78.73", 69, "")]
    [InlineData("tftp://10.0.0.1:6969/dir/f.pcap", ExportScheme.Tftp, "10.0.0.1", 6969, "dir/f.pcap")]
    [InlineData("scp://admin@[2001:db8::1]:2222/CAPI", ExportScheme.Scp, "2001:db8::1", 2222, "CAPI")]
    [InlineData("tftp:", ExportScheme.Tftp, "", 69, "")]
    [InlineData("disk:sub/CAPI.pcap", ExportScheme.Disk, "", 0, "sub/CAPI.pcap")]
    [InlineData("disk0:/CAPI.pcap", ExportScheme.Disk, "", 0, "CAPI.pcap")]
    public void Parses(string text, ExportScheme scheme, string host, int port, string path)
    {
        var u = ExportUrl.Parse(text);
        Assert.Equal(scheme, u.Scheme);
        Assert.Equal(host, u.Host);
        Assert.Equal(port, u.EffectivePort);
        Assert.Equal(path, u.Path);
    }

    [Theory]
    [InlineData("http://x/y")]
    [InlineData("tftp:/x")]
    [InlineData("tftp://host:99999/x")]
    [InlineData("ftp://u:secret@bad host/x")]
    public void Rejects_without_the_password(string text)
    {
        var e = Assert.Throws<ExportUrlException>(() => ExportUrl.Parse(text));
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void Redact_masks_every_password_in_a_line()
    {
        Assert.Equal(
            "copy /pcap capture:CAPI ftp://ftp_username:****@192.168.78.73/CAPI.pcap",
            ExportUrl.Redact("copy /pcap capture:CAPI ftp://ftp_username:ftp_password@192.168.78.73/CAPI.pcap"));
        Assert.Equal("copy capture:A scp://u@h/x", ExportUrl.Redact("copy capture:A scp://u@h/x"));
    }

    [Fact]
    public void Disk_paths_stay_in_the_capture_directory()
    {
        string root = Directory.CreateTempSubdirectory("bridge-disk-").FullName;
        try
        {
            Assert.Equal(Path.Combine(root, "sub", "a.pcap"), DiskTarget.Resolve(root, "sub/a.pcap"));
            Assert.Throws<ExportUrlException>(() => DiskTarget.Resolve(root, "../a.pcap"));
            Assert.Throws<ExportUrlException>(() => DiskTarget.Resolve(root, "sub/../../a.pcap"));
            Assert.Throws<ExportUrlException>(() => DiskTarget.Resolve(root, ""));
            Directory.CreateSymbolicLink(Path.Combine(root, "out"), "/tmp");
            Assert.Throws<ExportUrlException>(() => DiskTarget.Resolve(root, "out/a.pcap"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Known_hosts_match_plain_port_and_hashed_entries()
    {
        string dir = Directory.CreateTempSubdirectory("bridge-known-").FullName;
        try
        {
            byte[] key = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 4, 1, 2, 3, 4];
            byte[] other = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 4, 9, 9, 9, 9];
            string b64 = Convert.ToBase64String(key);
            var salt = new byte[20];
            Random.Shared.NextBytes(salt);
            string hashed = "|1|" + Convert.ToBase64String(salt) + "|" + Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(salt, "hashed.example"u8.ToArray()));
            string path = Path.Combine(dir, KnownHosts.FileName);
            File.WriteAllText(path, $"# comment\nserver.example,10.0.0.9 ssh-ed25519 {b64}\n{hashed} ssh-ed25519 {b64}");
            var known = new KnownHosts(path);

            Assert.Equal(HostKeyStatus.Trusted, known.Check("10.0.0.9", 22, key));
            Assert.Equal(HostKeyStatus.Trusted, known.Check("hashed.example", 22, key));
            Assert.Equal(HostKeyStatus.Changed, known.Check("server.example", 22, other));
            Assert.Equal(HostKeyStatus.Unknown, known.Check("10.0.0.9", 2222, key));

            known.Add("10.0.0.9", 2222, key);
            Assert.Equal(HostKeyStatus.Trusted, known.Check("10.0.0.9", 2222, key));
            Assert.EndsWith($"ssh-ed25519 {b64}\n[10.0.0.9]:2222 ssh-ed25519 {b64}\n", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
