using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Admin;
using Bridge.Daemon.Commands;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>
/// A live admin socket over a <see cref="PcapRuntime"/> loaded with config/lab.conf and fed the
/// seed ping (4 echo requests from host A on VLAN 1577, 4 replies from B) plus the real HTTP
/// capture arriving untagged on OUTSIDE.
/// </summary>
public sealed class AdminFixture : IAsyncDisposable
{
    public static readonly MacAddr MacA = new(0x000c_2998_3fecUL);
    public static readonly MacAddr MacB = new(0x6c41_6aa1_2bf6UL);
    public static readonly IpAddr IpA = IpAddr.Parse("192.168.103.1");
    public static readonly IpAddr IpB = IpAddr.Parse("192.168.101.1");
    private const long T0 = 1_700_000_000L * 1_000_000_000;

    private AdminFixture(string dir, PcapRuntime runtime, AdminSocketServer server, CommandDispatcher dispatcher)
    {
        Dir = dir;
        Runtime = runtime;
        Server = server;
        Dispatcher = dispatcher;
    }

    public string Dir { get; }
    public PcapRuntime Runtime { get; }
    public AdminSocketServer Server { get; }
    public CommandDispatcher Dispatcher { get; }
    public string SocketPath => Server.Path;
    public string ConfigPath => Runtime.ConfigPath;

    public static string Repo([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    public static async Task<AdminFixture> StartAsync(IAdminRolePolicy? policy = null, IEnumerable<ICommandModule>? extraCommands = null)
    {
        string dir = Directory.CreateTempSubdirectory("bridge-admin-").FullName;
        string conf = Path.Combine(dir, "bridge.conf");
        File.Copy(Path.Combine(Repo(), "config", "lab.conf"), conf);
        var runtime = new PcapRuntime(conf);

        string ping = Path.Combine(dir, "ping.pcap");
        using (var w = PcapWriter.Create(ping))
        {
            for (ushort seq = 0; seq < 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                w.Write(t, FrameBuilder.Ethernet(MacA, MacB).Vlan(1577).Ipv4(IpA, IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
                w.Write(t + 700_000, FrameBuilder.Ethernet(MacB, MacA).Ipv4(IpB, IpA).IcmpEcho(false, 5, seq, 32).Build());
            }
        }
        runtime.Feed(ping, 0, r => r.Data.Span[12] == 0x81 ? 0 : 1);
        runtime.Feed(Path.Combine(Repo(), "..", "shared", "data", "pcaps", "http_post.pcapng"), 1, _ => 1);

        var dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree([.. CommandCatalogue.Modules, .. extraCommands ?? []]), runtime, new ControlPlaneState());
        var server = new AdminSocketServer(dispatcher, policy ?? new GroupRolePolicy(), Path.Combine(dir, "run", "admin.sock"), NullLogger<AdminSocketServer>.Instance);
        await server.StartAsync(CancellationToken.None);
        return new AdminFixture(dir, runtime, server, dispatcher);
    }

    public async Task<AdminClient> ConnectAsync()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return new AdminClient(s);
    }

    /// <summary>Runs one command on a fresh connection and returns the final response.</summary>
    public async Task<JsonObject> RunAsync(string command, string format = "text", string mode = "exec")
    {
        await using var c = await ConnectAsync();
        return await c.RequestAsync(command, format, mode);
    }

    public async Task<string> TextAsync(string command)
    {
        var r = await RunAsync(command);
        Assert.True(r["status"]!.GetValue<int>() == 0, $"'{command}' failed: {r["text"]}");
        return r["text"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        Server.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>A raw client of the admin protocol: writes request lines, reads response lines.</summary>
public sealed class AdminClient(Socket socket) : IAsyncDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly StreamReader _reader = new(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
    private int _nextId;

    public async Task SendLineAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public async Task<JsonObject> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? line = await _reader.ReadLineAsync(timeout.Token);
        Assert.NotNull(line);
        return JsonNode.Parse(line)!.AsObject();
    }

    public async Task<JsonObject> RequestAsync(string command, string format = "text", string mode = "exec")
    {
        int id = ++_nextId;
        await SendLineAsync(new JsonObject { ["id"] = id, ["command"] = command, ["format"] = format, ["mode"] = mode }.ToJsonString());
        var r = await ReadAsync();
        Assert.Equal(id, r["id"]!.GetValue<int>());
        return r;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
