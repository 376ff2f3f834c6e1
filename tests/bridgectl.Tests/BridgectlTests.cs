using System.Text.Json.Nodes;
using Bridge.Ctl;
using Bridge.Daemon.Tests.Admin;

namespace Bridge.Ctl.Tests;

/// <summary>bridgectl's one-shot and piped modes against a live admin socket, and its messages when the daemon is absent.</summary>
public sealed class BridgectlTests
{
    private static (int Status, string Out, string Err) Run(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = Program.Run(args, new StringReader(stdin), output, error, interactive: false);
        return (rc, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task One_shot_prints_the_answer_and_exits_0()
    {
        await using var f = await AdminFixture.StartAsync();
        var (rc, output, err) = Run("", "--socket", f.SocketPath, "-c", "sh conn count");
        Assert.Equal(0, rc);
        Assert.Equal("1 in use, 1 most used\n", output);
        Assert.Equal("", err);
    }

    [Fact]
    public async Task One_shot_error_goes_to_stderr_with_status_1()
    {
        await using var f = await AdminFixture.StartAsync();
        var (rc, output, err) = Run("", "--socket", f.SocketPath, "-c", "show conn bogus");
        Assert.Equal(1, rc);
        Assert.Equal("", output);
        Assert.Equal("show conn bogus\n          ^\nERROR: % Invalid input detected at '^' marker.\n", err);
    }

    [Fact]
    public async Task Json_prints_the_structured_output()
    {
        await using var f = await AdminFixture.StartAsync();
        var (rc, output, _) = Run("", "--socket", f.SocketPath, "--json", "-c", "show conn");
        Assert.Equal(0, rc);
        var doc = JsonNode.Parse(output)!;
        Assert.Equal(1, doc["inUse"]!.GetValue<int>());
        Assert.Equal("192.168.101.1", doc["connections"]![0]!["responder"]!["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task Piped_input_runs_each_line_without_prompts()
    {
        await using var f = await AdminFixture.StartAsync();
        var (rc, output, _) = Run("show conn count\n\nshow run mac-address-table\nshow ?\nexit\nshow version\n", "--socket", f.SocketPath);
        Assert.Equal(0, rc);
        Assert.StartsWith("1 in use, 1 most used\nmac-address-table aging-time 5\n  access-list", output);
        Assert.DoesNotContain("> ", output);
        Assert.DoesNotContain("Bridge Software Version", output);
        var (badRc, _, badErr) = Run("show conn\nshow nothing\n", "--socket", f.SocketPath);
        Assert.Equal(1, badRc);
        Assert.Contains("Invalid input", badErr);
    }

    [Fact]
    public async Task A_piped_script_of_blocks_steps_out_of_each_mode_with_exit()
    {
        await using var f = await AdminFixture.StartAsync();
        const string script = """
            configure terminal
            interface veth-out
             description to R1
             shutdown
            exit
            object network WEB
             host 192.168.101.10
            exit
            exit
            show running-config object
            exit
            show version
            """;
        var (rc, output, err) = Run(script + "\n", "--socket", f.SocketPath);
        Assert.Equal("", err);
        Assert.Equal(0, rc);
        // The last exit ends the script: show version never runs.
        Assert.Equal("object network WEB\n host 192.168.101.10\n", output);
        var outside = f.Runtime.Snapshot.Config.Interfaces.Single(i => i.Name == "veth-out");
        Assert.True(outside.Shutdown);
        Assert.Equal("to R1", outside.Description);
    }

    [Fact]
    public async Task A_dialog_takes_its_answers_from_the_next_input_lines()
    {
        await using var f = await AdminFixture.StartAsync(extraCommands: [new AskCommand()]);
        var (rc, output, _) = Run("ask\nCAPO\nhidden\nshow conn count\n", "--socket", f.SocketPath);
        Assert.Equal(0, rc);
        Assert.Equal("Source capture name [CAPI]? \nPassword: \nname=CAPO secret=hidden interactive=True\n1 in use, 1 most used\n", output);
        // -c with nothing to read: each prompt takes its default.
        var (rc1, one, _) = Run("", "--socket", f.SocketPath, "-c", "ask");
        Assert.Equal(0, rc1);
        Assert.EndsWith("name=CAPI secret= interactive=True\n", one);
    }

    [Fact]
    public void Missing_socket_says_the_daemon_is_not_running()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bridgectl-missing-{Guid.NewGuid():N}.sock");
        var (rc, output, err) = Run("", "--socket", path, "-c", "show version");
        Assert.Equal(3, rc);
        Assert.Equal("", output);
        Assert.Equal($"bridgectl: bridged is not running (no socket at {path})\n", err);
    }

    [Fact]
    public void A_socket_file_nobody_listens_on_is_reported_too()
    {
        string dir = Directory.CreateTempSubdirectory("bridgectl-stale-").FullName;
        try
        {
            string path = Path.Combine(dir, "admin.sock");
            using (var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            {
                s.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            }
            var (rc, _, err) = Run("", "--socket", path, "-c", "show version");
            Assert.Equal(3, rc);
            Assert.StartsWith($"bridgectl: bridged is not running (no socket at {path}", err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bad_usage_exits_2()
    {
        var (rc, _, err) = Run("", "--frobnicate");
        Assert.Equal(2, rc);
        Assert.Contains("Usage: bridgectl", err);
    }

    [Theory]
    [InlineData("copy /pcap capture:CAPI ftp://admin:s3cr3t@127.0.0.1/c.pcap", "copy /pcap capture:CAPI ftp://admin:****@127.0.0.1/c.pcap")]
    [InlineData("copy capture:CAPI scp://root:p@ss:w0rd@10.0.0.1:2222/x", "copy capture:CAPI scp://root:****@10.0.0.1:2222/x")]
    [InlineData("username admin password Very$ecret privilege 15", "username admin password **** privilege 15")]
    [InlineData("copy /pcap capture:CAPI tftp://10.0.0.1/c.pcap", "copy /pcap capture:CAPI tftp://10.0.0.1/c.pcap")]
    [InlineData("show conn", "show conn")]
    public void History_keeps_no_secret(string typed, string kept) => Assert.Equal(kept, HistoryRedaction.Redact(typed));
}
