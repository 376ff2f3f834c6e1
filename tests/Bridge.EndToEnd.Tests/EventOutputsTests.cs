using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// The live daemon's observability outputs: RFC 5424 events to a syslog listener on the bridge
/// namespace's own loopback (nothing leaves the lab), and capture metrics read on the running
/// workers' threads agreeing with <c>show capture</c>.
/// </summary>
public sealed class EventOutputsTests
{
    private const int SyslogPort = 5514;

    // Appends every datagram as one line; started in the bridge namespace, where bridged runs.
    private const string Listener =
        "import socket,sys\n" +
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
        "s.bind(('127.0.0.1',int(sys.argv[2])))\n" +
        "f=open(sys.argv[1],'ab',0)\n" +
        "while True:\n" +
        "    d,_=s.recvfrom(65535)\n" +
        "    f.write(d+b'\\n')\n";

    private const string Scrape = "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9477/metrics').read().decode())";

    [Fact]
    public void Live_events_reach_a_syslog_listener_and_capture_metrics_agree_with_show_capture()
    {
        using var lab = LiveLab.Up(config: LabConfigs.Seed +
            $"\nlogging enable\nlogging trap informational\nlogging host OUTSIDE 127.0.0.1 udp/{SyslogPort}\n");
        string received = Path.Combine(Path.GetTempPath(), lab.Prefix + "syslog.txt");
        using var listener = lab.Start("bridge", "/usr/bin/python3", "-c", Listener, received, SyslogPort.ToString(CultureInfo.InvariantCulture));
        try
        {
            WaitUntil(() => lab.Exec("bridge", "cat", "/proc/net/udp").Stdout.Contains($"0100007F:{SyslogPort:X4}", StringComparison.Ordinal), "the listener did not bind");
            Assert.Contains($"logging host OUTSIDE 127.0.0.1 17/{SyslogPort}", lab.Cli("show running-config logging").EnsureSuccess().Stdout);
            lab.Cli("capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1").EnsureSuccess();
            lab.Ping(count: 3).EnsureSuccess();

            // Built at the first echo; teardown once the ICMP timeout (2 s) passes and the sweep finds it.
            string[] lines = [];
            WaitUntil(() =>
            {
                lines = File.Exists(received) ? File.ReadAllLines(received) : [];
                return lines.Any(l => l.Contains(" 302020 ", StringComparison.Ordinal)) && lines.Any(l => l.Contains(" 302021 ", StringComparison.Ordinal));
            }, "no built/teardown pair arrived", TimeSpan.FromSeconds(30));
            var rfc5424 = new Regex(@"^<166>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z firepower bridged - (30202[01]) \[bridge@32473 protocol=""icmp"" src_if=""INSIDE"" src=""192\.168\.103\.1"" dst_if=""OUTSIDE"" dst=""192\.168\.101\.1"" [^\]]*\] %BRIDGE-6-\1: ");
            foreach (var id in new[] { "302020", "302021" })
            {
                string line = lines.First(l => l.Contains($" {id} ", StringComparison.Ordinal));
                Assert.Matches(rfc5424, line);
            }

            string shown = lab.Cli("show capture CAPI").EnsureSuccess().Stdout;
            long packets = long.Parse(Regex.Match(shown, @"^(\d+) packets? captured", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(6, packets);
            string text = lab.Exec("bridge", "/usr/bin/python3", "-c", Scrape).EnsureSuccess().Stdout;
            Assert.Equal(packets, Sample(text, "bridge_capture_packets{capture=\"CAPI\"}"));
            Assert.Equal(packets, Sample(text, "bridge_capture_packets_captured_total{capture=\"CAPI\"}"));
            Assert.Equal(1, Sample(text, "bridge_capture_state{capture=\"CAPI\",state=\"capturing\"}"));
            Assert.True(Sample(text, "bridge_syslog_messages_total") >= 2);
            Assert.Equal(0, Sample(text, "bridge_syslog_dropped_total"));
        }
        finally
        {
            listener.Kill();
            listener.WaitForExit(10_000);
            File.Delete(received);
        }
    }

    private static void WaitUntil(Func<bool> condition, string failure, TimeSpan? timeout = null)
    {
        long deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (condition()) return;
            Thread.Sleep(200);
        }
        Assert.True(condition(), failure);
    }

    private static double Sample(string exposition, string series)
    {
        var m = Regex.Match(exposition, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"{series} not in the scrape");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
