using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Http;
using Bridge.Daemon.Metrics;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Daemon.Tests.Http;

/// <summary>
/// A real HTTPS server over a <see cref="PcapRuntime"/>: the lab config plus the given http and
/// username lines (PORT stands for a free loopback port), its state directory in a temporary folder.
/// </summary>
public sealed class HttpsServerFixture : IAsyncDisposable
{
    public const string AdminPassword = "s3cret-Admin";
    public const string ViewerPassword = "v1ew-Only";
    private const long T0 = 1_700_000_000L * 1_000_000_000;

    private HttpsServerFixture(string dir, PcapRuntime runtime, CommandDispatcher dispatcher, HttpsServer server, BridgeMetrics metrics, int port)
    {
        Dir = dir;
        Runtime = runtime;
        Dispatcher = dispatcher;
        Server = server;
        Metrics = metrics;
        Port = port;
    }

    public string Dir { get; }
    public PcapRuntime Runtime { get; }
    public CommandDispatcher Dispatcher { get; }
    public HttpsServer Server { get; }
    public BridgeMetrics Metrics { get; }
    public int Port { get; }
    public HttpServerState State => HttpServerState.For(Runtime);
    public AdminSession Root { get; } = new("root", AdminRole.Admin);

    public static async Task<HttpsServerFixture> StartAsync(string httpLines = "http 127.0.0.0 255.0.0.0 management\n", string? stateDir = null, int lockoutFailures = 5)
    {
        string dir = Directory.CreateTempSubdirectory("bridge-https-").FullName;
        int port = FreePort();
        string conf = Path.Combine(dir, "bridge.conf");
        File.WriteAllText(conf, File.ReadAllText(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"))
            + $"username admin password {AdminPassword} privilege 15\n"
            + $"username viewer password {ViewerPassword} privilege 5\n"
            + $"http server enable {port}\n" + httpLines);
        var runtime = new PcapRuntime(conf);
        var dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), runtime, new ControlPlaneState());
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bridge:StateDirectory"] = stateDir ?? Path.Combine(dir, "state"),
            ["Bridge:Http:Listen"] = "127.0.0.1",
            ["Bridge:Http:LockoutFailures"] = lockoutFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bridge:Http:LockoutSeconds"] = "300",
        }).Build();
        var metrics = new BridgeMetrics(runtime);
        var server = new HttpsServer(runtime, dispatcher, settings, NullLogger<HttpsServer>.Instance, metrics);
        await server.StartAsync(CancellationToken.None);
        var state = HttpServerState.For(runtime);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (state.ListeningPort != port)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the HTTPS server did not start");
            await Task.Delay(20);
        }
        return new HttpsServerFixture(dir, runtime, dispatcher, server, metrics, port);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public string Url(string path) => $"https://127.0.0.1:{Port}{path}";

    /// <summary>An HttpClient that trusts exactly the server's certificate, by its SHA-256 fingerprint as show crypto ca certificates prints it.</summary>
    public HttpClient Client(string? user = "admin", string? password = AdminPassword)
    {
        string pinned = HttpsCertificate.Fingerprint(State.Certificate!);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && HttpsCertificate.Fingerprint(cert) == pinned,
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        if (user is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        return client;
    }

    public async Task<Bridge.Daemon.Commands.CommandResult> RunAsync(string line)
    {
        var r = await Dispatcher.ExecuteAsync(line, Root, json: false, stream: null, CancellationToken.None);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r;
    }

    /// <summary>The seed ping (4 echo requests from A tagged 1577 on port 0, 4 untagged replies from B on port 1) through worker 0.</summary>
    public void Ping()
    {
        string ping = Path.Combine(Dir, "ping.pcap");
        using (var w = PcapWriter.Create(ping))
        {
            for (ushort seq = 0; seq < 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                w.Write(t, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
                w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).IcmpEcho(false, 5, seq, 32).Build());
            }
        }
        Runtime.Feed(ping, 0, r => r.Data.Span[12] == 0x81 ? 0 : 1);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        Server.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
