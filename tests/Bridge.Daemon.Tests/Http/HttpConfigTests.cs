using Bridge.Daemon.Commands;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Tests.Http;

/// <summary>The http and username config lines: file parsing, printing, round trip through write memory, and the commands at the prompt.</summary>
public sealed class HttpConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-http-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Lab() => File.ReadAllText(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"));

    [Fact]
    public void Http_lines_parse_print_and_round_trip()
    {
        var config = BridgeConfig.Parse(Lab() + """
            http server enable 8443
            http 192.168.103.0 255.255.255.0 INSIDE
            http 127.0.0.0 255.0.0.0 management
            http 2001:db8::/32 management
            username admin password s3cret-Pw privilege 15
            username viewer password v1ew
            """);
        Assert.Equal(8443, config.Http.ServerPort);
        Assert.Equal(3, config.Http.Access.Count);
        string http = config.ToText("http");
        Assert.Equal("http server enable 8443\nhttp 192.168.103.0 255.255.255.0 INSIDE\nhttp 127.0.0.0 255.0.0.0 management\nhttp 2001:db8::/32 management\n", http);
        string users = config.ToText("username");
        Assert.DoesNotContain("s3cret-Pw", config.ToText());
        Assert.DoesNotContain("v1ew", config.ToText());
        Assert.Matches(@"^username admin password \$pbkdf2-sha256\$100000\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+ encrypted privilege 15\nusername viewer password \S+ encrypted privilege 2\n$", users);
        Assert.True(PasswordHash.Verify(config.FindUser("admin")!.PasswordHash, "s3cret-Pw"));
        Assert.False(PasswordHash.Verify(config.FindUser("admin")!.PasswordHash, "s3cret-pw"));

        // write memory writes ToText(); reading it back gives the same config, hashes unchanged.
        var again = BridgeConfig.Parse(config.ToText());
        Assert.Equal(config, again);
        Assert.Equal(config.FindUser("admin")!.PasswordHash, again.FindUser("admin")!.PasswordHash);

        Assert.NotNull(config.Http.Admit(IpAddr.Parse("127.0.0.1")));
        Assert.Equal("INSIDE", config.Http.Admit(IpAddr.Parse("192.168.103.77"))!.NameIf);
        Assert.Null(config.Http.Admit(IpAddr.Parse("192.168.104.1")));
        Assert.NotNull(config.Http.Admit(IpAddr.Parse("2001:db8:1::5")));
        Assert.Null(config.Http.Admit(IpAddr.Parse("2001:db9::5")));
    }

    [Fact]
    public void Default_port_and_no_lines()
    {
        var on = BridgeConfig.Parse("http server enable\n");
        Assert.Equal(443, on.Http.ServerPort);
        Assert.Equal("http server enable\n", on.ToText("http"));
        var off = BridgeConfig.Parse("http server enable 8443\nhttp 10.0.0.0 255.0.0.0 management\nno http server enable\nno http 10.0.0.0 255.0.0.0 management\n");
        Assert.Null(off.Http.ServerPort);
        Assert.Equal("", off.ToText("http"));
        Assert.Equal("", BridgeConfig.Empty.ToText("http"));
        Assert.DoesNotContain("http", BridgeConfig.Empty.ToText());
    }

    [Theory]
    [InlineData("http 10.0.0.0 255.0.0.0 DMZ", 3, 25, "interface 'DMZ' is neither a nameif defined above nor 'management'")]
    [InlineData("http 10.0.0.1 255.0.0.0 INSIDE", 3, 6, "address 10.0.0.1 and mask 255.0.0.0 do not pair (host bits set)")]
    [InlineData("http server enable 70000", 3, 20, "http server port must be a number from 1 to 65535, found '70000'")]
    [InlineData("http server start", 3, 13, "expected 'enable', found 'start'")]
    [InlineData("username bob password hunter2 privilege 16", 3, 41, "privilege must be a number from 0 to 15, found '16'")]
    [InlineData("username bob password hunter2 encrypted", 3, 23, "an encrypted password must be written $pbkdf2-sha256$ITERATIONS$SALT$KEY")]
    [InlineData("no username carol", 3, 13, "username 'carol' is not defined")]
    public void Bad_lines_are_refused_with_file_line_and_column(string line, int lineNo, int column, string reason)
    {
        string text = "interface eth1\n nameif INSIDE\n" + line + "\n";
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(text, "/etc/bridge/bridge.conf"));
        Assert.Equal((lineNo, column, reason), (e.Line, e.Column, e.Reason));
        Assert.StartsWith($"/etc/bridge/bridge.conf:{lineNo}:{column}: {reason}", e.Message);
        // The clear password never comes back in an error.
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public async Task Commands_at_the_prompt_keep_only_the_hash()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.WriteAllText(conf, Lab());
        var runtime = new PcapRuntime(conf);
        var dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), runtime, new ControlPlaneState());
        var root = new AdminSession("root", AdminRole.Admin);
        async Task<string> Ok(string line)
        {
            var r = await dispatcher.ExecuteAsync(line, root, json: false, stream: null, CancellationToken.None);
            Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
            return r.Text;
        }

        Assert.Equal("", await Ok("show running-config http"));
        await Ok("http server enable 8443");
        await Ok("http 192.168.103.0 255.255.255.0 INSIDE");
        await Ok("http 127.0.0.0 255.0.0.0 management");
        await Ok("username admin password Top-Secret1 privilege 15");
        await Ok("http server enable 9443");
        Assert.Equal("http server enable 9443\nhttp 192.168.103.0 255.255.255.0 INSIDE\nhttp 127.0.0.0 255.0.0.0 management\n", await Ok("show running-config http"));
        string all = await Ok("show running-config");
        Assert.DoesNotContain("Top-Secret1", all);
        Assert.Contains("username admin password $pbkdf2-sha256$", all);
        Assert.True(PasswordHash.Verify(runtime.Snapshot.Config.FindUser("admin")!.PasswordHash, "Top-Secret1"));

        // The hash typed back with 'encrypted' (as a saved file has it) keeps the same password.
        string hash = runtime.Snapshot.Config.FindUser("admin")!.PasswordHash;
        await Ok($"username admin password {hash} encrypted privilege 5");
        Assert.Equal(new UserAccount("admin", hash, 5), runtime.Snapshot.Config.FindUser("admin"));

        var bad = await dispatcher.ExecuteAsync("http 10.0.0.0 255.0.0.0 NOPE", root, false, null, CancellationToken.None);
        Assert.Equal(1, bad.Status);
        var missing = await dispatcher.ExecuteAsync("no http 10.0.0.0 255.0.0.0 management", root, false, null, CancellationToken.None);
        Assert.Equal("ERROR: http 10.0.0.0 255.0.0.0 management is not configured\n", missing.Text);
        var monitor = await dispatcher.ExecuteAsync("username eve password x privilege 15", new AdminSession("eve", AdminRole.Monitor), false, null, CancellationToken.None);
        Assert.Equal(1, monitor.Status);

        await Ok("write memory");
        var saved = BridgeConfig.Load(conf);
        Assert.Equal(runtime.Snapshot.Config, saved);
        Assert.DoesNotContain("Top-Secret1", File.ReadAllText(conf));

        await Ok("no http server enable");
        await Ok("no http 192.168.103.0 255.255.255.0 INSIDE");
        await Ok("no username admin");
        Assert.Equal("http 127.0.0.0 255.0.0.0 management\n", await Ok("show running-config http"));
        Assert.Equal("", await Ok("show running-config username"));
    }
}
