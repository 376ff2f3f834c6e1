using System.Diagnostics;
using System.Text.Json.Nodes;
using Bridge.Daemon.Admin;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>The framing, roles and cancellation of the admin socket.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProtocolTests
{
    /// <summary>A streaming command for the test only: a chunk every 20 ms until cancelled.</summary>
    private sealed class TickCommand : ICommandModule
    {
        public void Register(GrammarNode root) =>
            root.Keyword("tick", "Stream ticks until cancelled").Runs(async ctx =>
            {
                for (int i = 0; ; i++)
                {
                    await ctx.Stream($"tick {i}\n");
                    await Task.Delay(20, ctx.Cancellation);
                }
            }, Privilege.Monitor);
    }

    /// <summary>Grants uid 65534 the monitor role, like membership of group bridge.</summary>
    private sealed class NobodyIsMonitor : IAdminRolePolicy
    {
        private readonly GroupRolePolicy _default = new();

        public AdminRole RoleFor(PeerCredentials peer) => peer.Uid == 65534 ? AdminRole.Monitor : _default.RoleFor(peer);
    }

    [Fact]
    public async Task Malformed_requests_get_an_error_and_the_server_keeps_serving()
    {
        await using var f = await AdminFixture.StartAsync();
        await using var c = await f.ConnectAsync();
        await c.SendLineAsync("this is not json");
        var e1 = await c.ReadAsync();
        Assert.Equal(1, e1["status"]!.GetValue<int>());
        Assert.StartsWith("ERROR: malformed request: ", e1["text"]!.GetValue<string>());
        await c.SendLineAsync("""{"id": 9, "format": "text"}""");
        var e2 = await c.ReadAsync();
        Assert.Equal(9, e2["id"]!.GetValue<int>());
        Assert.Contains("\"command\"", e2["text"]!.GetValue<string>());
        await c.SendLineAsync("""{"id": 10, "command": "show conn", "mode": "sideways"}""");
        Assert.Contains("mode", (await c.ReadAsync())["text"]!.GetValue<string>());
        var ok = await c.RequestAsync("show conn count");
        Assert.Equal("1 in use, 1 most used\n", ok["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Many_concurrent_clients_are_served()
    {
        await using var f = await AdminFixture.StartAsync();
        var tasks = Enumerable.Range(0, 16).Select(async _ =>
        {
            await using var c = await f.ConnectAsync();
            for (int i = 0; i < 5; i++) Assert.StartsWith("1 in use", (await c.RequestAsync("show conn"))["text"]!.GetValue<string>());
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Streaming_chunks_then_cancel_gives_a_final_response()
    {
        await using var f = await AdminFixture.StartAsync(extraCommands: [new TickCommand()]);
        await using var c = await f.ConnectAsync();
        await c.SendLineAsync("""{"id": "t1", "command": "tick"}""");
        var first = await c.ReadAsync();
        Assert.Equal("t1", first["id"]!.GetValue<string>());
        Assert.Equal("tick 0\n", first["chunk"]!.GetValue<string>());
        await c.SendLineAsync("""{"id": "t1", "cancel": true}""");
        JsonObject last;
        do last = await c.ReadAsync();
        while (last["chunk"] is not null);
        Assert.Equal(1, last["status"]!.GetValue<int>());
        Assert.Equal("% Command cancelled\n", last["text"]!.GetValue<string>());
        Assert.StartsWith("1 in use", (await c.RequestAsync("show conn"))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Prompts_go_to_an_interactive_client_and_its_answers_come_back()
    {
        await using var f = await AdminFixture.StartAsync(extraCommands: [new AskCommand()]);
        await using var c = await f.ConnectAsync();
        await c.SendLineAsync("""{"id": 9, "command": "ask", "interactive": true}""");
        var first = await c.ReadAsync();
        Assert.Equal("Source capture name [CAPI]? ", first["prompt"]!.GetValue<string>());
        Assert.Null(first["secret"]);
        await c.SendLineAsync("""{"id": 9, "answer": "CAPO"}""");
        var second = await c.ReadAsync();
        Assert.Equal("Password: ", second["prompt"]!.GetValue<string>());
        Assert.True(second["secret"]!.GetValue<bool>());
        await c.SendLineAsync("""{"id": 9, "answer": "s3cret"}""");
        var last = await c.ReadAsync();
        Assert.Equal(0, last["status"]!.GetValue<int>());
        Assert.Equal("name=CAPO secret=s3cret interactive=True\n", last["text"]!.GetValue<string>());

        // An answer nobody asked for is an error; the connection keeps serving.
        await c.SendLineAsync("""{"id": 9, "answer": "late"}""");
        Assert.Contains("not waiting for an answer", (await c.ReadAsync())["text"]!.GetValue<string>());
        // A client that did not say "interactive" gets the defaults without being asked.
        Assert.Equal("name=CAPI secret= interactive=False\n", (await c.RequestAsync("ask"))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelling_a_request_that_waits_for_an_answer_ends_it()
    {
        await using var f = await AdminFixture.StartAsync(extraCommands: [new AskCommand()]);
        await using var c = await f.ConnectAsync();
        await c.SendLineAsync("""{"id": "q", "command": "ask", "interactive": true}""");
        Assert.NotNull((await c.ReadAsync())["prompt"]);
        await c.SendLineAsync("""{"id": "q", "cancel": true}""");
        var last = await c.ReadAsync();
        Assert.Equal(1, last["status"]!.GetValue<int>());
        Assert.Equal("% Command cancelled\n", last["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_peer_in_no_bridge_group_is_refused_everything()
    {
        await using var f = await AdminFixture.StartAsync();
        var (status, output) = RunAsNobody(f, "show conn");
        Assert.Equal(1, status);
        Assert.Contains("ERROR: % Permission denied: user 'nobody' is neither root nor in group bridge or bridge-admin", output);
    }

    [Fact]
    public async Task A_monitor_peer_may_show_but_not_clear()
    {
        await using var f = await AdminFixture.StartAsync(new NobodyIsMonitor());
        var (showStatus, show) = RunAsNobody(f, "show conn count");
        Assert.Equal(0, showStatus);
        Assert.Contains("1 in use, 1 most used", show);
        var (clearStatus, clear) = RunAsNobody(f, "clear conn");
        Assert.Equal(1, clearStatus);
        Assert.Contains("Permission denied: 'clear conn' changes the bridge", clear);
        Assert.StartsWith("1 in use", await f.TextAsync("show conn"));
    }

    /// <summary>Sends one request from a process that really runs as uid 65534 (setpriv), over the real socket.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static (int Status, string Output) RunAsNobody(AdminFixture f, string command)
    {
        // The peer must be able to reach the socket for the daemon's own check to be what refuses it.
        File.SetUnixFileMode(f.Dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.GetDirectoryName(f.SocketPath)!, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(f.SocketPath, (UnixFileMode)0b110_110_110);
        string script = $$"""
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect({{JsonValue.Create(f.SocketPath).ToJsonString()}})
            s.sendall((json.dumps({"id": 1, "command": {{JsonValue.Create(command).ToJsonString()}}}) + "\n").encode())
            r = json.loads(s.makefile().readline())
            sys.stdout.write(r["text"])
            sys.exit(r["status"])
            """;
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(20_000));
        return (p.ExitCode, output);
    }
}
