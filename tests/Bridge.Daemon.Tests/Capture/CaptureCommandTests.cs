using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;

namespace Bridge.Daemon.Tests.Capture;

/// <summary>The capture commands through the daemon's grammar and dispatcher, over real data paths fed from pcap files.</summary>
public sealed class CaptureCommandTests : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-capture-cmd-").FullName;
    private readonly PcapRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);

    public CaptureCommandTests()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        _runtime = new PcapRuntime(conf);
        _dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), _runtime, new ControlPlaneState());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<CommandResult> Run(string line, AdminSession? session = null) =>
        await _dispatcher.ExecuteAsync(line, session ?? _admin, json: false, stream: null, CancellationToken.None);

    private async Task<string> Ok(string line)
    {
        var r = await Run(line);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r.Text;
    }

    /// <summary>The seed ping: 4 echo requests from A tagged 1577 on port 0, 4 untagged replies from B on port 1.</summary>
    private void Ping(int worker = 0, ushort firstSeq = 0)
    {
        string ping = Path.Combine(_dir, $"ping-{firstSeq}.pcap");
        using (var w = PcapWriter.Create(ping))
        {
            for (ushort seq = firstSeq; seq < firstSeq + 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                w.Write(t, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
                w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).IcmpEcho(false, 5, seq, 32).Build());
            }
        }
        _runtime.Feed(ping, worker, r => r.Data.Span[12] == 0x81 ? 0 : 1);
    }

    [Fact]
    public async Task Seed_captures_through_the_commands()
    {
        Assert.Equal("", await Ok("capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1"));
        Assert.Equal("", await Ok("capture CAPO interface OUTSIDE match icmp host 192.168.101.1 host 192.168.103.1"));
        Ping();
        Assert.Equal(
            "capture CAPI type raw-data interface INSIDE [Capturing - 624 bytes]\n  match icmp host 192.168.103.1 host 192.168.101.1\n" +
            "capture CAPO type raw-data interface OUTSIDE [Capturing - 592 bytes]\n  match icmp host 192.168.101.1 host 192.168.103.1\n",
            await Ok("show capture"));
        string capi = await Ok("sh cap CAPI");
        Assert.StartsWith("8 packets captured\n\n   1: ", capi);
        Assert.Equal(8, capi.Split('\n').Count(l => l.Contains("       802.1Q vlan#1577 P0 192.168.10")));
        Assert.EndsWith("8 packets shown\n", capi);
        string capo = await Ok("show capture CAPO count 2");
        Assert.DoesNotContain("802.1Q", capo);
        Assert.EndsWith("       192.168.101.1 > 192.168.103.1: icmp: echo reply\n2 packets shown\n", capo);
        Assert.Contains("       192.168.103.1 > 192.168.101.1: icmp: echo request\n", capo);
        string dump = await Ok("show capture CAPO packet-number 3 dump");
        Assert.Contains("   3: ", dump);
        Assert.Contains("0x0000\t 4500 003c", dump);
        Assert.EndsWith("1 packet shown\n", dump);

        var json = await _dispatcher.ExecuteAsync("show capture", _admin, json: true, stream: null, CancellationToken.None);
        Assert.Equal(624, json.Json!["captures"]![0]!["bytes"]!.GetValue<long>());

        Assert.Equal("", await Ok("clear capture CAPI"));
        Assert.Contains("capture CAPI type raw-data interface INSIDE [Capturing - 0 bytes]", await Ok("show capture"));
        Assert.Equal("", await Ok("clear capture /all"));
        Assert.Contains("[Capturing - 0 bytes]\n  match icmp host 192.168.101.1", await Ok("show capture"));
        Assert.Equal("", await Ok("no capture CAPI"));
        Assert.Equal("", await Ok("no capture CAPO"));
        Assert.Equal("", await Ok("show capture"));
        Assert.All(_runtime.Workers, w => Assert.Null(w.Captures));
    }

    [Fact]
    public async Task Traced_capture_shows_the_phases_of_a_packet()
    {
        await Ok("capture CAPI2 interface INSIDE trace detail trace-count 100 match icmp host 192.168.103.1 host 192.168.101.1");
        Ping(worker: 1);
        Assert.Contains("capture CAPI2 type raw-data trace detail trace-count 100 interface INSIDE [Capturing - 624 bytes]", await Ok("show capture"));
        string text = await Ok("show capture CAPI2 packet-number 1 trace detail");
        Assert.StartsWith("8 packets captured\n\n   1: ", text);
        Assert.Contains(" 000c.2998.3fec 6c41.6aa1.2bf6 0x8100 Length: 78\n      802.1Q vlan#1577 P0 192.168.103.1 > 192.168.101.1: icmp: echo request (ttl 128, id 0)\n\nPhase: 1\nType: CAPTURE\n", text);
        Assert.Contains("Type: ACCESS-LIST\nSubtype: log\n", text);
        Assert.Contains("access-group CSM_FW_ACL_ global", text);
        Assert.Contains("Type: FLOW-CREATION", text);
        Assert.Contains("Result:\ninput-interface: INSIDE\n", text);
        Assert.Contains("Action: allow\n", text);
        Assert.EndsWith("\n1 packet shown\n", text);
        // The reply is outbound on INSIDE: captured, never traced.
        string reply = await Ok("show capture CAPI2 packet-number 2 trace");
        Assert.DoesNotContain("Phase:", reply);
        Assert.Contains("echo reply", reply);
    }

    [Fact]
    public async Task Asp_drop_capture_shows_the_drop_reason()
    {
        await Ok("capture ASP type asp-drop all");
        Ping();
        // A second round of replies with unknown sequence numbers is dropped by ICMP inspection.
        string stray = Path.Combine(_dir, "stray.pcap");
        using (var w = PcapWriter.Create(stray))
            w.Write(T0 + 9_000_000_000L, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(IpAddr.Parse("192.168.101.7"), AdminFixture.IpA).IcmpEcho(false, 77, 1, 32).Build());
        _runtime.Feed(stray, 0, _ => 1);
        string text = await Ok("show capture ASP");
        Assert.Contains("192.168.101.7 > 192.168.103.1: icmp: echo reply Drop-reason: (", text);
        Assert.StartsWith("capture ASP type asp-drop all [Capturing - 74 bytes]", await Ok("show capture"));
    }

    [Fact]
    public async Task Errors_are_ftd_style_with_the_caret_under_the_typed_word()
    {
        var r = await Run("capture X interface INSIDE buffer 100");
        Assert.Equal(1, r.Status);
        Assert.Equal("capture X interface INSIDE buffer 100\n                                  ^\nERROR: % Invalid input detected at '^' marker.\n", r.Text);
        r = await Run("capture X interface INSIDE match icmp host");
        Assert.Equal("% Incomplete command\n", r.Text);
        r = await Run("capture X interface NOPE");
        Assert.Equal("capture X interface NOPE\n                    ^\nERROR: % Invalid input detected at '^' marker.\n", r.Text);
        r = await Run("show capture NOPE");
        Assert.Equal("ERROR: Capture <NOPE> does not exist\n", r.Text);
        r = await Run("clear capture NOPE");
        Assert.Equal(1, r.Status);
        r = await Run("no capture NOPE");
        Assert.Equal(1, r.Status);
        r = await Run("show capture X");
        Assert.Equal(1, r.Status);
    }

    [Fact]
    public async Task Memory_limit_is_enforced_with_a_clear_error()
    {
        // Each capture holds its buffer plus record headers on each of the two workers: about 4 MB here.
        CaptureStore.Configure(_runtime, 6_000_000);
        await Ok("capture A interface INSIDE buffer 1000000");
        var r = await Run("capture B interface OUTSIDE buffer 1000000");
        Assert.Equal(1, r.Status);
        Assert.StartsWith("ERROR: Not enough capture memory for B: it needs ", r.Text);
        Assert.Contains("of the 6000000-byte limit are in use", r.Text);
        Assert.DoesNotContain("capture B", await Ok("show capture"));
    }

    [Fact]
    public async Task No_capture_with_arguments_and_monitor_role()
    {
        await Ok("capture X interface INSIDE circular-buffer match icmp any any match udp any any");
        await Ok("no capture X match icmp any any");
        await Ok("no capture X circular-buffer");
        Assert.Equal("capture X type raw-data interface INSIDE [Capturing - 0 bytes]\n  match udp any any\n", await Ok("show capture"));
        var monitor = new AdminSession("nobody", AdminRole.Monitor);
        Assert.NotEqual(0, (await Run("capture Y interface INSIDE", monitor)).Status);
        Assert.Equal(0, (await Run("show capture", monitor)).Status);
        await Ok("no capture X interface INSIDE");
        Assert.Equal("", await Ok("show capture"));
    }
}

/// <summary><c>real-time</c> and the <c>access-list</c> display filter.</summary>
public sealed class CaptureRealTimeTests : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-capture-rt-").FullName;
    private readonly PcapRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);

    public CaptureRealTimeTests()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        _runtime = new PcapRuntime(conf);
        _dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), _runtime, new ControlPlaneState());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Feed(string name, ushort first, int count)
    {
        string file = Path.Combine(_dir, name + ".pcap");
        using (var w = PcapWriter.Create(file))
        {
            for (ushort seq = first; seq < first + count; seq++)
                w.Write(T0 + seq * 1_000_000L, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB).IcmpEcho(true, 5, seq, 32).Build());
        }
        _runtime.Feed(file, 0, _ => 0);
    }

    [Fact]
    public async Task Real_time_streams_new_packets_to_the_session_until_cancelled()
    {
        Feed("before", 0, 2);
        await _dispatcher.ExecuteAsync("capture RT interface INSIDE", _admin, false, null, CancellationToken.None);
        Feed("history", 2, 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var streamed = new List<string>();
        // The runtime processes frames on the caller's thread: feed from inside the stream callback,
        // where the command is waiting for us and reads nothing at the same time.
        Task Stream(string text)
        {
            streamed.Add(text);
            if (streamed.Count == 1) Feed("live", 10, 3);
            if (streamed.Sum(s => s.Split('\n').Count(l => l.Contains("icmp: echo request"))) >= 3) cts.Cancel();
            return Task.CompletedTask;
        }
        var result = await _dispatcher.ExecuteAsync("capture RT real-time dump", _admin, false, Stream, cts.Token);
        Assert.StartsWith("Warning: using this option with a slow console connection", streamed[0]);
        Assert.Contains("Use ctrl-c to terminate real-time capture", streamed[0]);
        var all = string.Concat(streamed.Skip(1)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lines = all.Where(l => !l.StartsWith("0x", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, lines.Length);
        // dump: four hex rows (60 bytes of IP) after each packet line.
        Assert.Equal(12, all.Count(l => l.StartsWith("0x00", StringComparison.Ordinal)));
        Assert.StartsWith("   1: ", lines[0]);
        Assert.StartsWith("   3: ", lines[2]);
        Assert.All(lines, l => Assert.EndsWith("802.1Q vlan#1577 P0 192.168.103.1 > 192.168.101.1: icmp: echo request", l));
        Assert.Equal("3 packets shown\n", result.Text);
        Assert.Equal(5, (await _dispatcher.ExecuteAsync("show capture RT", _admin, false, null, CancellationToken.None)).Text.Split('\n').Count(l => l.Contains("echo request")));
    }

    [Fact]
    public async Task Access_list_display_filter_shows_only_permitted_packets()
    {
        await _dispatcher.ExecuteAsync("capture ALL interface INSIDE", _admin, false, null, CancellationToken.None);
        Feed("pings", 0, 2);
        // Ingress capture sits before the access-list: a frame the policy denies is captured too.
        string denied = Path.Combine(_dir, "denied.pcap");
        using (var w = PcapWriter.Create(denied))
            w.Write(T0 + 5_000_000_000L, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).Udp(1000, 53, new byte[8]).Build());
        _runtime.Feed(denied, 0, _ => 0);
        var all = (await _dispatcher.ExecuteAsync("show capture ALL", _admin, false, null, CancellationToken.None)).Text;
        Assert.StartsWith("3 packets captured", all);
        Assert.Contains("10.0.0.1.1000 > 10.0.0.2.53: udp 8", all);
        var filtered = await _dispatcher.ExecuteAsync("show capture ALL access-list CSM_FW_ACL_", _admin, false, null, CancellationToken.None);
        Assert.StartsWith("3 packets captured", filtered.Text);
        Assert.DoesNotContain("10.0.0.1", filtered.Text);
        Assert.EndsWith("2 packets shown\n", filtered.Text);
        var bad = await _dispatcher.ExecuteAsync("show capture ALL access-list NOPE", _admin, false, null, CancellationToken.None);
        Assert.Equal("show capture ALL access-list NOPE\n                             ^\nERROR: % Invalid input detected at '^' marker.\n", bad.Text);
    }
}
