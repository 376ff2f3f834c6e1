using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Rules;

namespace Bridge.Daemon.Tests.Capture;

/// <summary>
/// <c>capture NAME type alert [sid N]</c> over real data paths with the real rules engine: the
/// packets of a flow that alerted are kept, those seen before the alert included; other flows not.
/// </summary>
public sealed class AlertCaptureTests : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-alert-cap-").FullName;
    private readonly PcapRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);

    public AlertCaptureTests()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        _runtime = new PcapRuntime(conf, workers: 1);
        var rules = RuleSet.FromText("""
            alert icmp any any -> any any (msg:"marked ping"; itype:8; content:"|de ad be ef|"; sid:1000001; rev:1;)
            alert icmp any any -> any any (msg:"other marker"; itype:8; content:"|ca fe|"; sid:1000002; rev:1;)
            """);
        _runtime.Workers[0].Inspector = rules.CreateInspector(_runtime.Workers[0].Flows.Capacity);
        _dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), _runtime, new ControlPlaneState());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> Ok(string line)
    {
        var r = await _dispatcher.ExecuteAsync(line, _admin, json: false, stream: null, CancellationToken.None);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r.Text;
    }

    /// <summary>Pings of one ICMP id from A to B with replies; the echo request with sequence <paramref name="markedSeq"/> carries <paramref name="marker"/>.</summary>
    private void Pings(ushort id, int count, int markedSeq, byte[] marker, long start)
    {
        string pcap = Path.Combine(_dir, $"ping-{id}.pcap");
        using (var w = PcapWriter.Create(pcap))
        {
            for (ushort seq = 0; seq < count; seq++)
            {
                long t = start + seq * 1_000_000_000L;
                byte[] payload = new byte[32];
                if (seq == markedSeq) marker.CopyTo(payload, 0);
                var request = FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128)
                    .Icmp(8, 0, [(byte)(id >> 8), (byte)id, (byte)(seq >> 8), (byte)seq, .. payload]).Build();
                w.Write(t, request);
                w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA)
                    .Icmp(0, 0, [(byte)(id >> 8), (byte)id, (byte)(seq >> 8), (byte)seq, .. payload]).Build());
            }
        }
        _runtime.Feed(pcap, 0, r => r.Data.Span[12] == 0x81 ? 0 : 1);
    }

    [Fact]
    public async Task Keeps_the_alerting_flow_from_before_the_alert_and_nothing_else()
    {
        await Ok("capture ALERTS type alert");
        await Ok("capture SID2 type alert sid 1000002");
        // Flow 7: the third request (seq 2) is marked; flow 9 never alerts.
        Pings(id: 9, count: 3, markedSeq: -1, marker: [], start: T0);
        Pings(id: 7, count: 5, markedSeq: 2, marker: [0xde, 0xad, 0xbe, 0xef], start: T0 + 10_000_000_000L);

        Assert.Equal(
            "capture ALERTS type alert [Capturing - 760 bytes]\ncapture SID2 type alert sid 1000002 [Capturing - 0 bytes]\n",
            await Ok("show capture"));
        string text = await Ok("show capture ALERTS");
        // Before the alert: requests 0, 1, 2 (the alerting one, inspected before it was kept) and
        // replies 0, 1 (B's replies reach the engine too, as ingress on OUTSIDE); then the rest.
        Assert.StartsWith("10 packets captured\n", text);
        Assert.Equal(5, text.Split('\n').Count(l => l.Contains("192.168.103.1 > 192.168.101.1: icmp: echo request")));
        Assert.Equal(5, text.Split('\n').Count(l => l.Contains("192.168.101.1 > 192.168.103.1: icmp: echo reply")));
        Assert.DoesNotContain("id 9", text);

        // The sid filter: only a flow that raises sid 1000002 goes into SID2.
        Pings(id: 11, count: 2, markedSeq: 1, marker: [0xca, 0xfe], start: T0 + 20_000_000_000L);
        Assert.StartsWith("4 packets captured\n", await Ok("show capture SID2"));
        Assert.StartsWith("14 packets captured\n", await Ok("show capture ALERTS"));
    }

    [Fact]
    public async Task Type_alert_reads_back_and_cannot_change_type()
    {
        await Ok("capture A type alert sid 5 buffer 100000");
        var again = await _dispatcher.ExecuteAsync("capture A type raw-data", _admin, false, null, CancellationToken.None);
        Assert.Equal(1, again.Status);
        Assert.Contains("Capture type cannot be changed", again.Text);
        Assert.Equal("capture A type alert sid 5 buffer 100000 [Capturing - 0 bytes]\n", await Ok("show capture"));
    }
}
