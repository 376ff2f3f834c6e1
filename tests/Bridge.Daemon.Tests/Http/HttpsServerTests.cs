using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Capture;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Http;
using Bridge.Daemon.Tests.Support;
using Prometheus;

namespace Bridge.Daemon.Tests.Http;

/// <summary>The HTTPS server with real clients (HttpClient pinned by fingerprint, curl, openssl, tshark) on a loopback port.</summary>
public sealed class HttpsServerTests
{
    private const string CapiLine = "capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1";

    private static async Task<byte[]> ExpectedPcap(HttpsServerFixture f, string name)
    {
        var contents = await CaptureStore.For(f.Runtime).ReadAsync(name, a => f.Runtime.RunOnWorkers(dp => a(dp.WorkerIndex)));
        using var ms = new MemoryStream();
        CapturePcap.Write(contents!, ms);
        return ms.ToArray();
    }

    private static CommandResult Tool(string file, params string[] args) => HostCommand.Run(file, args, TimeSpan.FromSeconds(60));

    private static async Task<double> MetricValue(HttpsServerFixture f, string line)
    {
        using var ms = new MemoryStream();
        await f.Metrics.Registry.CollectAndExportAsTextAsync(ms);
        foreach (var l in Encoding.UTF8.GetString(ms.ToArray()).Split('\n'))
        {
            if (l.StartsWith(line + " ", StringComparison.Ordinal)) return double.Parse(l[(line.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    [Fact]
    public async Task Capture_downloads_are_the_captures_pcap_and_tshark_reads_them()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        await f.RunAsync(CapiLine);
        f.Ping();
        byte[] expected = await ExpectedPcap(f, "CAPI");
        Assert.Equal(24 + 8 * (16 + 78), expected.Length);

        using var client = f.Client();
        foreach (string path in new[] { "/capture/CAPI/pcap/CAPI.pcap", "/capture/CAPI/pcap", "/admin/capture/CAPI/pcap", "/admin/capture/CAPI/pcap/other.pcap" })
        {
            using var response = await client.GetAsync(f.Url(path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.tcpdump.pcap", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
            Assert.Equal(path.EndsWith("other.pcap") ? "other.pcap" : "CAPI.pcap", response.Content.Headers.ContentDisposition.FileName);
            Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        }

        string file = Path.Combine(f.Dir, "CAPI.pcap");
        File.WriteAllBytes(file, await client.GetByteArrayAsync(f.Url("/capture/CAPI/pcap/CAPI.pcap")));
        var tshark = Tool("tshark", "-r", file, "-T", "fields", "-e", "vlan.id", "-e", "ip.src", "-e", "icmp.type");
        Assert.True(tshark.ExitCode == 0, tshark.ToString());
        var rows = tshark.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(8, rows.Length);
        Assert.Equal("1577\t192.168.103.1\t8", rows[0]);
        Assert.Equal("1577\t192.168.101.1\t0", rows[1]);

        // curl once, as an operator would (-k: it does not know the self-signed certificate).
        string curled = Path.Combine(f.Dir, "curl.pcap");
        var curl = Tool("curl", "-sS", "-k", "--fail", "-u", "viewer:" + HttpsServerFixture.ViewerPassword, "-o", curled, f.Url("/capture/CAPI/pcap/CAPI.pcap"));
        Assert.True(curl.ExitCode == 0, curl.ToString());
        Assert.Equal(expected, File.ReadAllBytes(curled));

        // The text view is show capture NAME.
        string text = await client.GetStringAsync(f.Url("/capture/CAPI"));
        Assert.Equal((await f.RunAsync("show capture CAPI")).Text, text);
        Assert.StartsWith("8 packets captured\n", text);

        using var unknown = await client.GetAsync(f.Url("/capture/NOPE/pcap"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("ERROR: Capture <NOPE> does not exist\n", await unknown.Content.ReadAsStringAsync());
        using var tricky = await client.GetAsync(f.Url("/capture/..%2F..%2Fetc%2Fpasswd/pcap"));
        Assert.Equal(HttpStatusCode.BadRequest, tricky.StatusCode);
        using var badFile = await client.GetAsync(f.Url("/capture/CAPI/pcap/CAPI.txt"));
        Assert.Equal(HttpStatusCode.BadRequest, badFile.StatusCode);

        Assert.Equal(6, await MetricValue(f, "bridge_http_downloads_total{format=\"pcap\"}"));
        Assert.Equal(2, await MetricValue(f, "bridge_http_logins_total{result=\"ok\"}"));
    }

    [Fact]
    public async Task Sources_outside_the_allow_list_are_closed_before_TLS()
    {
        await using var f = await HttpsServerFixture.StartAsync("http 10.0.0.0 255.0.0.0 management\nhttp 192.168.103.0 255.255.255.0 INSIDE\n");
        var debug = new List<string>();
        using var cancel = new CancellationTokenSource();
        var watching = f.Dispatcher.ExecuteAsync("debug http", f.Root, false, line => { lock (debug) debug.Add(line); return Task.CompletedTask; }, cancel.Token);

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, f.Port);
            var stream = tcp.GetStream();
            // A TLS ClientHello would get a ServerHello back; a refused connection gets end of stream.
            await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00 });
            var buffer = new byte[64];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException)
            {
                read = 0;
            }
            Assert.Equal(0, read);
        }
        using var client = f.Client();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(f.Url("/capture/CAPI")));
        Assert.True(f.State.RefusedConnections >= 2);
        Assert.Equal(f.State.RefusedConnections, await MetricValue(f, "bridge_http_refused_connections_total"));

        // Allowed again once the running config admits loopback: no restart needed.
        await f.RunAsync("http 127.0.0.1 255.255.255.255 management");
        using var ok = await client.GetAsync(f.Url("/capture/NOPE"));
        Assert.Equal(HttpStatusCode.NotFound, ok.StatusCode);

        cancel.Cancel();
        await watching;
        lock (debug)
        {
            Assert.Equal("debug http enabled at level 1.\n", debug[0]);
            Assert.Contains(debug, l => l.StartsWith("HTTP: connection from 127.0.0.1:", StringComparison.Ordinal) && l.EndsWith(" refused: no 'http' line permits it\n", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Wrong_passwords_get_401_and_five_lock_the_source_out()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        using var anonymous = f.Client(user: null);
        using var challenge = await anonymous.GetAsync(f.Url("/capture/X/pcap"));
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal("Basic", challenge.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = f.Client("admin", "guess");
        for (int i = 1; i <= 5; i++)
        {
            using var r = await wrong.GetAsync(f.Url("/capture/X"));
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using var good = f.Client();
        using var locked = await good.GetAsync(f.Url("/capture/X"));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.InRange(int.Parse(locked.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), 290, 300);
        Assert.Equal(5, await MetricValue(f, "bridge_http_logins_total{result=\"failed\"}"));
        Assert.Equal(1, await MetricValue(f, "bridge_http_logins_total{result=\"locked-out\"}"));

        // An unknown user is a failure like a wrong password.
        await using var g = await HttpsServerFixture.StartAsync(lockoutFailures: 2);
        using var nobody = g.Client("mallory", "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync(g.Url("/capture/X"))).StatusCode);
        using var right = g.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await right.GetAsync(g.Url("/capture/X"))).StatusCode);
        // A success resets the count: two more failures are needed to lock out.
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync(g.Url("/capture/X"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await right.GetAsync(g.Url("/capture/X"))).StatusCode);
    }

    [Fact]
    public async Task Only_TLS_1_2_and_later_are_accepted()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        string connect = $"127.0.0.1:{f.Port}";
        // SECLEVEL=0 so that the client itself is willing to offer TLS 1.1: the refusal must be the server's.
        var old = Tool("sh", "-c", $"openssl s_client -connect {connect} -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null");
        Assert.NotEqual(0, old.ExitCode);
        // s_client names the version it tried in its session summary; what matters is that no handshake happened.
        Assert.Contains("no peer certificate available", old.Stdout);
        Assert.Contains("Cipher is (NONE)", old.Stdout);
        var v12 = Tool("sh", "-c", $"openssl s_client -connect {connect} -tls1_2 </dev/null");
        Assert.True(v12.ExitCode == 0, v12.ToString());
        Assert.Contains("TLSv1.2", v12.Stdout);
        var v13 = Tool("sh", "-c", $"openssl s_client -connect {connect} -tls1_3 </dev/null");
        Assert.True(v13.ExitCode == 0, v13.ToString());
    }

    [Fact]
    public async Task The_certificate_is_generated_once_and_shown_with_its_fingerprint()
    {
        string state = Directory.CreateTempSubdirectory("bridge-https-state-").FullName;
        try
        {
            string first;
            await using (var f = await HttpsServerFixture.StartAsync(stateDir: state))
            {
                var shown = await f.RunAsync("show crypto ca certificates");
                first = HttpsCertificate.Fingerprint(f.State.Certificate!);
                Assert.Contains("  SHA-256 Fingerprint: " + first + "\n", shown.Text);
                Assert.Contains("  Subject Name:\n    o=Bridge\n    cn=firepower\n", shown.Text);
                Assert.Matches(@"    start date: \d\d:\d\d:\d\d UTC \w{3} \d+ \d{4}\n    end   date: ", shown.Text);
                if (!OperatingSystem.IsWindows())
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, HttpsCertificate.KeyFile)));
                // The certificate a client sees is that one.
                var s = Tool("sh", "-c", $"openssl s_client -connect 127.0.0.1:{f.Port} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256");
                Assert.Equal("sha256 Fingerprint=" + first, s.Stdout.Trim(), ignoreCase: true);
            }
            await using (var g = await HttpsServerFixture.StartAsync(stateDir: state))
            {
                Assert.Equal(first, HttpsCertificate.Fingerprint(g.State.Certificate!));
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Debug_http_streams_requests_until_undebug_all()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        var lines = new List<string>();
        var seen = new TaskCompletionSource();
        var watching = f.Dispatcher.ExecuteAsync("debug http 255", f.Root, false, line =>
        {
            lock (lines) lines.Add(line);
            if (line.Contains("GET /capture/NOPE/pcap user 'admin' -> 404")) seen.TrySetResult();
            return Task.CompletedTask;
        }, CancellationToken.None);
        using var client = f.Client();
        await client.GetAsync(f.Url("/capture/NOPE/pcap"));
        await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await f.RunAsync("undebug all");
        var result = await watching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("debug http disabled.\n", result.Text);
        lock (lines)
        {
            Assert.Equal("debug http enabled at level 255.\n", lines[0]);
            Assert.Contains(lines, l => l.StartsWith("HTTP: connection from 127.0.0.1:") && l.EndsWith(" permitted by 'http 127.0.0.0 255.0.0.0 management'\n"));
            Assert.Contains(lines, l => l.Contains(" TLS Tls1") && l.EndsWith(" established\n"));
            Assert.Contains(lines, l => l == "HTTP: 127.0.0.1 user 'admin' logged in (privilege 15)\n");
            Assert.DoesNotContain(lines, l => l.Contains("Authorization", StringComparison.OrdinalIgnoreCase) || l.Contains(HttpsServerFixture.AdminPassword));
        }
    }

    [Fact]
    public async Task The_command_api_runs_the_admin_grammar_with_the_users_role()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        static StringContent Json(string command) => new(new JsonObject { ["command"] = command }.ToJsonString(), Encoding.UTF8, "application/json");
        using var admin = f.Client();
        using var viewer = f.Client("viewer", HttpsServerFixture.ViewerPassword);

        var show = JsonNode.Parse(await (await admin.PostAsync(f.Url("/api/command"), Json("show running-config http"))).Content.ReadAsStringAsync())!;
        Assert.Equal(0, show["status"]!.GetValue<int>());
        Assert.Equal($"http server enable {f.Port}\nhttp 127.0.0.0 255.0.0.0 management\n", show["text"]!.GetValue<string>());
        Assert.Equal("http", show["json"]!["section"]!.GetValue<string>());

        var change = JsonNode.Parse(await (await viewer.PostAsync(f.Url("/api/command"), Json("capture WEB interface INSIDE"))).Content.ReadAsStringAsync())!;
        Assert.Equal(1, change["status"]!.GetValue<int>());
        Assert.Contains("Permission denied", change["text"]!.GetValue<string>());
        Assert.Null(CaptureStore.For(f.Runtime).Find("WEB"));
        var made = JsonNode.Parse(await (await admin.PostAsync(f.Url("/api/command"), Json("capture WEB interface INSIDE"))).Content.ReadAsStringAsync())!;
        Assert.Equal(0, made["status"]!.GetValue<int>());
        Assert.NotNull(CaptureStore.For(f.Runtime).Find("WEB"));
        var listed = JsonNode.Parse(await (await viewer.PostAsync(f.Url("/api/command"), Json("show capture"))).Content.ReadAsStringAsync())!;
        Assert.Equal("WEB", listed["json"]!["captures"]![0]!["name"]!.GetValue<string>());

        var streaming = JsonNode.Parse(await (await admin.PostAsync(f.Url("/api/command"), Json("debug http"))).Content.ReadAsStringAsync())!;
        Assert.Equal(1, streaming["status"]!.GetValue<int>());
        Assert.Equal("% 'debug http' streams its output until stopped; run it in bridgectl\n", streaming["text"]!.GetValue<string>());
        Assert.Equal(0, f.State.Debug.Level);

        using var form = await admin.PostAsync(f.Url("/api/command"), new StringContent("command=clear+conn", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        using var empty = await admin.PostAsync(f.Url("/api/command"), new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_served_behind_the_login_too()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        using var anonymous = f.Client(user: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(f.Url("/metrics"))).StatusCode);
        using var viewer = f.Client("viewer", HttpsServerFixture.ViewerPassword);
        using var response = await viewer.GetAsync(f.Url("/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("bridge_interface_packets_total{interface=\"INSIDE\",direction=\"in\"}", text);
        Assert.Contains("bridge_http_logins_total{result=\"ok\"}", text);
    }

    [Fact]
    public async Task The_server_follows_the_running_config()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        await f.RunAsync("no http server enable");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (f.State.ListeningPort is not null && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.Null(f.State.ListeningPort);
        Assert.Equal("No certificate in use: the HTTPS server is not running ('http server enable [PORT]').\n", (await f.RunAsync("show crypto ca certificates")).Text);
        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, f.Port));
    }
}
