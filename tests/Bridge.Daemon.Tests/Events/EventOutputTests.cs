using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Events;
using Bridge.Daemon.Metrics;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Daemon.Tests.Events;

/// <summary>
/// The event outputs end to end over a real runtime: a TCP connection is built from frames and
/// torn down by <c>clear conn</c>, the pump drains, and what reaches a journal socket, a UDP and a
/// TCP syslog listener (all our own, on loopback or in a temp directory) and events.json is parsed
/// by the rules of each format.
/// </summary>
public sealed class EventOutputTests : IAsyncDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-events-").FullName;
    private readonly PcapRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);
    private EventPump? _pump;

    public EventOutputTests()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        _runtime = new PcapRuntime(conf);
        _dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), _runtime, new ControlPlaneState());
    }

    public async ValueTask DisposeAsync()
    {
        if (_pump is not null)
        {
            await _pump.Syslog.DisposeAsync();
            _pump.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private EventPump Pump(string journal = "off")
    {
        _pump = new EventPump(_runtime, NullLoggerFactory.Instance, new EventPumpOptions { AlertDirectory = _dir, JournalSocket = journal });
        return _pump;
    }

    private async Task<string> Ok(string line)
    {
        var r = await _dispatcher.ExecuteAsync(line, _admin, json: false, stream: null, CancellationToken.None);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r.Text;
    }

    /// <summary>A → B TCP handshake to port 80 on worker 0, then <c>clear conn</c>: one 302013 and one 302014.</summary>
    private async Task BuiltAndTornDown()
    {
        string file = Path.Combine(_dir, "tcp.pcap");
        var a = AdminFixture.MacA;
        var b = AdminFixture.MacB;
        using (var w = PcapWriter.Create(file))
        {
            w.Write(T0, FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB).Tcp(40000, 80, TcpFlags.Syn, 1000).Build());
            w.Write(T0 + 1_000_000, FrameBuilder.Ethernet(b, a).Ipv4(AdminFixture.IpB, AdminFixture.IpA).Tcp(80, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001).Build());
            w.Write(T0 + 2_000_000, FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build());
        }
        _runtime.Feed(file, 0, r => r.Data.Span[12] == 0x81 ? 0 : 1);
        await Ok("clear conn");
    }

    // <PRI>1 TIMESTAMP HOSTNAME APP PROCID MSGID SD MSG (RFC 5424 §6), SD one element of ours.
    private static readonly Regex Syslog5424 = new(
        @"^<(?<pri>\d{1,3})>1 (?<ts>\S+) (?<host>\S+) (?<app>\S+) (?<proc>\S+) (?<msgid>\S+) (?<sd>-|\[bridge@32473(?: [a-z_]+=""(?:[^""\\\]]|\\.)*"")*\]) (?<msg>.*)$",
        RegexOptions.Singleline);

    private static Dictionary<string, string> SdParams(string sd)
    {
        var result = new Dictionary<string, string>();
        foreach (Match m in Regex.Matches(sd, @" ([a-z_]+)=""((?:[^""\\\]]|\\.)*)"""))
            result[m.Groups[1].Value] = Regex.Unescape(m.Groups[2].Value);
        return result;
    }

    private static void AssertBuiltTeardownPair(IReadOnlyList<string> messages)
    {
        Assert.Equal(2, messages.Count);
        var built = Syslog5424.Match(messages[0]);
        var teardown = Syslog5424.Match(messages[1]);
        Assert.True(built.Success, messages[0]);
        Assert.True(teardown.Success, messages[1]);
        foreach (var m in new[] { built, teardown })
        {
            // local4 (20) × 8 + informational (6)
            Assert.Equal("166", m.Groups["pri"].Value);
            Assert.True(DateTimeOffset.TryParseExact(m.Groups["ts"].Value, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), m.Groups["ts"].Value);
            Assert.Equal("firepower", m.Groups["host"].Value);
            Assert.Equal("bridged", m.Groups["app"].Value);
            Assert.Equal("-", m.Groups["proc"].Value);
            var sd = SdParams(m.Groups["sd"].Value);
            Assert.Equal("tcp", sd["protocol"]);
            Assert.Equal("INSIDE", sd["src_if"]);
            Assert.Equal("192.168.103.1", sd["src"]);
            Assert.Equal("40000", sd["src_port"]);
            Assert.Equal("OUTSIDE", sd["dst_if"]);
            Assert.Equal("192.168.101.1", sd["dst"]);
            Assert.Equal("80", sd["dst_port"]);
        }
        Assert.Equal("302013", built.Groups["msgid"].Value);
        Assert.StartsWith("%BRIDGE-6-302013: Built inbound TCP connection ", built.Groups["msg"].Value);
        Assert.Equal("302014", teardown.Groups["msgid"].Value);
        Assert.StartsWith("%BRIDGE-6-302014: Teardown TCP connection ", teardown.Groups["msg"].Value);
        var tsd = SdParams(teardown.Groups["sd"].Value);
        Assert.Equal("Flow cleared by clear conn", tsd["reason"]);
        Assert.Equal(SdParams(built.Groups["sd"].Value)["conn_id"], tsd["conn_id"]);
    }

    [Fact]
    public async Task Built_and_teardown_reach_a_udp_syslog_server_as_rfc5424()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        await Ok($"logging host INSIDE 127.0.0.1 udp/{port}");
        await Ok("logging trap informational");
        await Ok("logging enable");
        Assert.Equal($"logging enable\nlogging trap informational\nlogging host INSIDE 127.0.0.1 17/{port}\n", await Ok("show running-config logging"));
        var pump = Pump();
        await BuiltAndTornDown();
        pump.Drain();

        var messages = new List<string>();
        using var timeout = new CancellationTokenSource(Wait);
        while (messages.Count < 2)
            messages.Add(Encoding.UTF8.GetString((await server.ReceiveAsync(timeout.Token)).Buffer));
        AssertBuiltTeardownPair(messages);
        Assert.Equal(2, pump.Syslog.Sent);
    }

    [Fact]
    public async Task Built_and_teardown_reach_a_tcp_syslog_server_with_octet_counting()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await Ok($"logging host OUTSIDE 127.0.0.1 tcp/{port}");
            await Ok("logging trap 6");
            await Ok("logging enable");
            var pump = Pump();
            await BuiltAndTornDown();
            pump.Drain();

            using var timeout = new CancellationTokenSource(Wait);
            using var client = await listener.AcceptTcpClientAsync(timeout.Token);
            var stream = client.GetStream();
            var messages = new List<string>();
            while (messages.Count < 2)
                messages.Add(await ReadOctetCounted(stream, timeout.Token));
            AssertBuiltTeardownPair(messages);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG.</summary>
    private static async Task<string> ReadOctetCounted(NetworkStream stream, CancellationToken cancel)
    {
        var digits = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, cancel);
            if (one[0] == (byte)' ') break;
            Assert.InRange(one[0], (byte)'0', (byte)'9');
            digits.Append((char)one[0]);
        }
        var message = new byte[int.Parse(digits.ToString(), CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(message, cancel);
        return Encoding.UTF8.GetString(message);
    }

    [Fact]
    public async Task Logging_lines_at_the_prompt_edit_the_running_config()
    {
        await Ok("logging host INSIDE 192.0.2.10");
        await Ok("logging host INSIDE 192.0.2.10 tcp/1514");
        await Ok("logging host management 192.0.2.11 udp");
        await Ok("logging trap 4");
        await Ok("logging file json 2048");
        Assert.Equal(
            "logging trap warnings\nlogging host INSIDE 192.0.2.10 6/1514\nlogging host management 192.0.2.11\nlogging file json 2048\n",
            await Ok("show running-config logging"));

        await Ok("no logging host INSIDE 192.0.2.10");
        var again = await _dispatcher.ExecuteAsync("no logging host INSIDE 192.0.2.10", _admin, json: false, stream: null, CancellationToken.None);
        Assert.NotEqual(0, again.Status);
        Assert.Contains("logging host INSIDE 192.0.2.10 is not configured", again.Text);
        var bad = await _dispatcher.ExecuteAsync("logging host INSIDE 192.0.2.12 sctp/99", _admin, json: false, stream: null, CancellationToken.None);
        Assert.NotEqual(0, bad.Status);
        Assert.Contains("expected udp[/PORT] or tcp[/PORT]", bad.Text);
        await Ok("no logging trap");
        await Ok("no logging file json");
        Assert.Equal("logging host management 192.0.2.11\n", await Ok("show running-config logging"));
        Assert.Equal(_runtime.Snapshot.Config.Logging.Hosts, _runtime.Applied[^1].Logging.Hosts);
    }

    [Fact]
    public async Task Trap_level_and_logging_enable_decide_what_the_servers_get()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        await Ok($"logging host INSIDE 127.0.0.1 udp/{port}");
        // Built/teardown are informational (6): a 'warnings' trap keeps them from the server.
        await Ok("logging trap warnings");
        await Ok("logging enable");
        var pump = Pump();
        await BuiltAndTornDown();
        pump.Drain();
        Assert.Equal(0, pump.Syslog.Sent);
        Assert.Equal(2, pump.Logged.Values.Sum());

        await Ok("no logging enable");
        await Ok("logging trap debugging");
        await BuiltAndTornDown();
        pump.Drain();
        Assert.Empty(pump.Syslog.Hosts);
        Assert.Equal(0, pump.Syslog.Sent);
        Assert.Equal(0, server.Available);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_costs_queued_messages_never_the_pump()
    {
        // A loopback port nobody listens on: connections are refused, the queue fills, the rest is dropped.
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await Ok($"logging host INSIDE 127.0.0.1 tcp/{port}");
        await Ok("logging trap debugging");
        await Ok("logging enable");
        var pump = Pump();
        pump.Drain();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < SyslogForwarder.QueueCapacity + 50; i++)
            pump.Syslog.Publish("<166>1 - - bridged - 302013 - queued " + i);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), "publishing waited for the server");
        Assert.Equal(50, pump.Syslog.Dropped);

        var metrics = new BridgeMetrics(_runtime, pump);
        string scrape = await metrics.ScrapeAsync();
        Assert.Contains("\nbridge_syslog_dropped_total 50\n", scrape);
    }

    [Fact]
    public async Task Events_go_to_the_journal_with_structured_fields()
    {
        string path = Path.Combine(_dir, "journal.socket");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(path));
        var pump = Pump(journal: path);
        await BuiltAndTornDown();
        pump.Drain();

        var entries = new List<Dictionary<string, string>>();
        var buffer = new byte[65536];
        journal.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        while (entries.Count < 2)
            entries.Add(ParseJournalEntry(buffer.AsSpan(0, journal.Receive(buffer))));

        var built = entries[0];
        Assert.StartsWith("%BRIDGE-6-302013: Built inbound TCP connection", built["MESSAGE"]);
        Assert.Equal("6", built["PRIORITY"]);
        Assert.Equal("20", built["SYSLOG_FACILITY"]);
        Assert.Equal("bridged", built["SYSLOG_IDENTIFIER"]);
        Assert.Equal("758ac450f3a44a559e9c9286b52a635e", built["MESSAGE_ID"]);
        Assert.Equal("302013", built["BRIDGE_MSGID"]);
        Assert.Equal("192.168.103.1", built["BRIDGE_SRC"]);
        Assert.Equal("40000", built["BRIDGE_SRC_PORT"]);
        Assert.Equal("192.168.101.1", built["BRIDGE_DST"]);
        Assert.Equal("80", built["BRIDGE_DST_PORT"]);
        Assert.Equal("INSIDE", built["BRIDGE_SRC_IF"]);
        var teardown = entries[1];
        Assert.Equal("302014", teardown["BRIDGE_MSGID"]);
        Assert.Equal(JournalWriter.MessageIds[302014], teardown["MESSAGE_ID"]);
        Assert.Equal("Flow cleared by clear conn", teardown["BRIDGE_REASON"]);
        Assert.Equal(2, pump.Journal!.Written);
    }

    [Fact]
    public void Journal_values_with_newlines_use_the_length_prefixed_form()
    {
        string path = Path.Combine(_dir, "journal.socket");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(path));
        using var writer = new JournalWriter(path);
        var e = new BridgeEvent(DateTimeOffset.UtcNow, 430001, 4, "first line\nsecond = line\n", [new("rule_msg", "a\nb"), new("sid", "42")]);
        var datagram = writer.Encode(e);
        // MESSAGE\n + 64-bit little-endian length + value + \n
        byte[] head = [.. "MESSAGE\n"u8];
        Assert.True(datagram.AsSpan().StartsWith(head));
        Assert.Equal(25UL, BinaryPrimitives.ReadUInt64LittleEndian(datagram.AsSpan(head.Length, 8)));

        Assert.True(writer.TryWrite(e));
        var buffer = new byte[65536];
        journal.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        var fields = ParseJournalEntry(buffer.AsSpan(0, journal.Receive(buffer)));
        Assert.Equal("first line\nsecond = line\n", fields["MESSAGE"]);
        Assert.Equal("a\nb", fields["BRIDGE_RULE_MSG"]);
        Assert.Equal("42", fields["BRIDGE_SID"]);
        Assert.Equal("4", fields["PRIORITY"]);
        Assert.Equal(JournalWriter.MessageIds[430001], fields["MESSAGE_ID"]);
    }

    [Fact]
    public void Without_a_journal_socket_the_writer_refuses_and_the_pump_can_fall_back()
    {
        using var writer = new JournalWriter(Path.Combine(_dir, "nobody-listens.socket"));
        Assert.False(writer.TryWrite(new BridgeEvent(DateTimeOffset.UtcNow, 302013, 6, "x", [])));
        Assert.Null(JournalWriter.Detect("off"));
    }

    /// <summary>The journal's native protocol as journald reads it (systemd's journal-native.c rules, our own code).</summary>
    private static Dictionary<string, string> ParseJournalEntry(ReadOnlySpan<byte> data)
    {
        var fields = new Dictionary<string, string>();
        while (!data.IsEmpty)
        {
            int end = data.IndexOfAny((byte)'=', (byte)'\n');
            Assert.True(end > 0, "field without a name");
            string name = Encoding.ASCII.GetString(data[..end]);
            Assert.Matches("^[A-Z0-9][A-Z0-9_]*$", name);
            if (data[end] == (byte)'=')
            {
                data = data[(end + 1)..];
                int nl = data.IndexOf((byte)'\n');
                fields[name] = Encoding.UTF8.GetString(data[..nl]);
                data = data[(nl + 1)..];
            }
            else
            {
                data = data[(end + 1)..];
                int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(data));
                fields[name] = Encoding.UTF8.GetString(data.Slice(8, length));
                Assert.Equal((byte)'\n', data[8 + length]);
                data = data[(8 + length + 1)..];
            }
        }
        return fields;
    }

    [Fact]
    public async Task Logging_file_json_writes_one_object_per_event_in_the_state_directory()
    {
        await Ok("logging file json 64");
        var pump = Pump();
        await BuiltAndTornDown();
        pump.Drain();
        // 'logging enable' turns the file on.
        Assert.False(File.Exists(Path.Combine(_dir, "events.json")));
        await Ok("logging enable");
        await BuiltAndTornDown();
        pump.Drain();

        var lines = File.ReadAllLines(Path.Combine(_dir, "events.json"));
        Assert.Equal(2, lines.Length);
        Assert.Equal(2, pump.EventFileLines);
        using var built = JsonDocument.Parse(lines[0]);
        var b = built.RootElement;
        Assert.Equal(302013, b.GetProperty("msgid").GetInt32());
        Assert.Equal(6, b.GetProperty("severity").GetInt32());
        Assert.Equal("informational", b.GetProperty("level").GetString());
        Assert.StartsWith("%BRIDGE-6-302013: Built inbound TCP connection", b.GetProperty("text").GetString());
        Assert.Equal("tcp", b.GetProperty("protocol").GetString());
        Assert.Equal("192.168.103.1", b.GetProperty("src").GetString());
        Assert.Equal(40000, b.GetProperty("src_port").GetInt32());
        Assert.Equal("192.168.101.1", b.GetProperty("dst").GetString());
        Assert.Equal(80, b.GetProperty("dst_port").GetInt32());
        Assert.True(DateTimeOffset.TryParse(b.GetProperty("timestamp").GetString(), CultureInfo.InvariantCulture, out var at));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000).Year, at.Year);
        using var teardown = JsonDocument.Parse(lines[1]);
        Assert.Equal(302014, teardown.RootElement.GetProperty("msgid").GetInt32());
        Assert.Equal("Flow cleared by clear conn", teardown.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void The_json_event_file_rotates_by_size()
    {
        string path = Path.Combine(_dir, "events.json");
        using var file = new JsonEventFile(path, 1024, 2);
        var e = new BridgeEvent(DateTimeOffset.UtcNow, 106023, 4, new string('x', 200), [new("src", "10.0.0.1"), new("src_port", "53")]);
        for (int i = 0; i < 20; i++) file.Write(e);
        file.Flush();
        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        foreach (var f in new[] { path, path + ".1" })
        {
            Assert.InRange(new FileInfo(f).Length, 1, 1024);
            foreach (var line in File.ReadAllLines(f))
                Assert.Equal(53, JsonDocument.Parse(line).RootElement.GetProperty("src_port").GetInt32());
        }
    }
}
