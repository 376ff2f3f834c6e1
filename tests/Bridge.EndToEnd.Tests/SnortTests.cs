namespace Bridge.EndToEnd.Tests;

/// <summary>The rules engine in the live lab's SNORT stage: a content rule drops, is counted, traced and alerted.</summary>
public sealed class SnortTests
{
    private const string Rule =
        "drop icmp any any -> any any (msg:\"BRIDGE-LAB deadbeef ping\"; itype:8; content:\"|de ad be ef|\"; classtype:misc-activity; sid:1000001; rev:1;)\n" +
        "reject tcp any any -> any 2323 (msg:\"BRIDGE-LAB reject 2323\"; flags:S; sid:1000002; rev:1;)";

    [Fact]
    public void A_content_rule_drops_matching_pings_only_and_says_so_everywhere()
    {
        string rules = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.rules");
        File.WriteAllText(rules, Rule + "\n");
        try
        {
            using var lab = LiveLab.Up(config: LabConfigs.Seed + $"\nsnort rules {rules}\n");

            lab.Cli("capture AC type alert sid 1000001").EnsureSuccess();
            lab.Ping(count: 3).EnsureSuccess();
            var marked = lab.Ping(count: 3, extra: ["-p", "deadbeef"]);
            Assert.Contains("3 packets transmitted, 0 received", marked.Stdout);

            Assert.True(LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "snort-drop") >= 3);
            // The alert capture holds the marked pings' flow only (the clean pings had another id).
            var alertCapture = lab.Cli("show capture AC").EnsureSuccess().Stdout;
            Assert.StartsWith("3 packets captured\n", alertCapture);
            Assert.Equal(3, alertCapture.Split('\n').Count(l => l.Contains("icmp: echo request")));

            // reject: B listens on 2323, yet A's connect is refused at once by the bridge's reset
            // and B never sees the connection.
            using (var listener = lab.Start("hostB", "/usr/bin/python3", "-c",
                "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 2323)); s.listen(); s.settimeout(8)\n" +
                "try:\n  c, a = s.accept(); print('accepted', a)\nexcept socket.timeout:\n  print('no connection')"))
            {
                Thread.Sleep(500);
                var connect = lab.Exec("hostA", "/usr/bin/python3", "-c",
                    "import socket\ntry:\n  socket.create_connection(('192.168.101.1', 2323), timeout=5); print('connected')\nexcept ConnectionRefusedError:\n  print('refused')\nexcept OSError as e:\n  print('error', e)");
                Assert.Equal("refused", connect.Stdout.Trim());
                Assert.True(listener.WaitForExit(15_000));
                Assert.Equal("no connection", listener.StandardOutput.ReadToEnd().Trim());
            }

            // The counters and hits behind it.
            var stats = lab.Cli("show snort statistics").EnsureSuccess().Stdout;
            Assert.Matches(@"Blocked Packets\s+[3-9]\n", stats);
            Assert.Matches(@"Injected Packets\s+2\n", stats);
            Assert.Matches(@"Rules loaded\s+2\n", stats);
            var hits = lab.Cli("show snort rules").EnsureSuccess().Stdout;
            Assert.Matches(@"1:1000001:1\s+drop\s+3  BRIDGE-LAB deadbeef ping\n", hits);
            Assert.Matches(@"1:1000002:1\s+reject\s+1  BRIDGE-LAB reject 2323\n", hits);
            Assert.Contains(Path.GetFileName(rules) + ":2\n", lab.Cli("show snort rules sid 1000002").EnsureSuccess().Stdout);

            // snort reload re-reads the file: a third rule appears, hit counts restart.
            File.AppendAllText(rules, "alert icmp any any -> any any (msg:\"BRIDGE-LAB any ping\"; itype:8; sid:1000003; rev:1;)\n");
            Assert.StartsWith("rules: 3 loaded, 0 rejected", lab.Cli("snort reload").EnsureSuccess().Stdout);
            Assert.Contains("No rule has matched", lab.Cli("show snort rules").EnsureSuccess().Stdout);
            lab.Ping(count: 2).EnsureSuccess();
            Assert.Matches(@"1:1000003:1\s+alert\s+2  BRIDGE-LAB any ping\n", lab.Cli("show snort rules").EnsureSuccess().Stdout);

            // The same numbers reach Prometheus: per-rule matches, reload results.
            string metrics = lab.Exec("bridge", "/usr/bin/python3", "-c",
                "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9477/metrics').read().decode())").EnsureSuccess().Stdout;
            Assert.Contains("bridge_snort_rule_matches_total{rule=\"1:1000003:1\"} 2", metrics);
            Assert.Contains("bridge_snort_rule_reloads_total{result=\"applied\"} 1", metrics);
            Assert.Contains("bridge_snort_rules{state=\"loaded\"} 3", metrics);

            // packet-tracer asks the same engine, in dry run.
            var trace = lab.Cli("packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1 payload-hex deadbeefdeadbeef").Stdout;
            Assert.Contains("Snort Verdict: (block-packet) drop this packet\nMatched rule: 1:1000001:1 BRIDGE-LAB deadbeef ping (drop)", trace);
            Assert.Contains("Action: drop", trace);
            var clean = lab.Cli("packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1 payload-hex 0102030405060708").Stdout;
            Assert.Contains("Action: allow", clean);

            // A whole pcap through a sandboxed pipeline with its own copy of the engine.
            string pcap = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}.pcap");
            try
            {
                LiveLab.Run("/usr/bin/python3", ["-c",
                    "import sys; from scapy.all import Ether, Dot1Q, IP, ICMP, Raw, wrpcap; " +
                    "A, B = '02:1a:b0:00:00:0a', '02:1a:b0:00:00:0b'; " +
                    "p = [Ether(src=A, dst=B)/Dot1Q(vlan=1577)/IP(src='192.168.103.1', dst='192.168.101.1')/ICMP(id=7, seq=s)/Raw(bytes([0xde, 0xad, 0xbe, 0xef]) * 4 if s == 2 else b'\\x01' * 16) for s in range(1, 4)]; " +
                    "wrpcap(sys.argv[1], p)", pcap], TimeSpan.FromSeconds(60)).EnsureSuccess();
                lab.Cli($"packet-tracer input INSIDE pcap {pcap}").EnsureSuccess();
                var second = lab.Cli("show packet-tracer packet-number 2").EnsureSuccess().Stdout;
                Assert.Contains("Matched rule: 1:1000001:1 BRIDGE-LAB deadbeef ping (drop)", second);
                Assert.Contains("Action: drop", second);
                Assert.Contains("Action: allow", lab.Cli("show packet-tracer packet-number 1").EnsureSuccess().Stdout);
            }
            finally
            {
                File.Delete(pcap);
            }

            string log = lab.Down();
            Assert.Contains("Rules: ", log);
            Assert.Contains("[**] [1:1000001:1] BRIDGE-LAB deadbeef ping [**]", log);
            Assert.Contains("{ICMP} 192.168.103.1 -> 192.168.101.1", log);
            Assert.Contains("[**] [1:1000002:1] BRIDGE-LAB reject 2323 [**]", log);

            // Every alert is in Snort's two files too, fast and JSON lines.
            var fast = File.ReadAllLines(Path.Combine(lab.StateDirectory, "alert_fast.txt"));
            Assert.Equal(3, fast.Count(l => l.Contains("[1:1000001:1] BRIDGE-LAB deadbeef ping")));
            var json = File.ReadAllLines(Path.Combine(lab.StateDirectory, "alert_json.txt"));
            Assert.Equal(fast.Length, json.Length);
            var reject = System.Text.Json.JsonDocument.Parse(json.Single(l => l.Contains("\"sid\" : 1000002") || l.Contains("\"sid\":1000002"))).RootElement;
            Assert.Equal("reject", reject.GetProperty("action").GetString());
        }
        finally
        {
            File.Delete(rules);
        }
    }
}
