using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// Reliability faults on the live lab (issue §3): a stage or engine that throws, an engine that is
/// down or busy under each failure policy, broken config and rule files on reload, a link flap on
/// the INSIDE side. Each asserts what the operator sees (show asp drop, show snort statistics, the
/// log) and that the bridge still forwards afterwards.
/// </summary>
public sealed class FaultTests
{
    private const string AlertRule = "alert icmp any any -> any any (msg:\"BRIDGE-LAB ping\"; itype:8; sid:1000101; rev:1;)\n";

    private static string TempRules(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"e2e-faults-{Guid.NewGuid():N}.rules");
        File.WriteAllText(path, text);
        return path;
    }

    private static long Stat(string statistics, string label)
    {
        var m = Regex.Match(statistics, $@"{Regex.Escape(label)}\s+(\d+)\n");
        Assert.True(m.Success, $"'{label}' not in:\n{statistics}");
        return long.Parse(m.Groups[1].Value);
    }

    [Fact]
    public void Injected_faults_cost_one_ping_each_are_counted_and_the_worker_goes_on()
    {
        string rules = TempRules(AlertRule);
        try
        {
            using var lab = LiveLab.Up(config: LabConfigs.Seed + $"\nsnort rules {rules}\n", build: "debug");
            // ARP resolved and MACs learned first, so that only the pings meet the armed faults.
            lab.Ping(count: 2).EnsureSuccess();

            // A stage throws: those packets drop as internal-error, the worker lives on.
            Assert.Contains("armed", lab.Cli("debug fault stage FLOW-LOOKUP count 3").EnsureSuccess().Stdout);
            var ping = lab.Ping(count: 4);
            Assert.Contains("4 packets transmitted, 1 received", ping.Stdout);
            Assert.Contains("icmp_seq=4 ", ping.Stdout);
            Assert.Equal("fault injection not armed\n", lab.Cli("show debug fault").EnsureSuccess().Stdout);
            var asp = lab.Cli("show asp drop").EnsureSuccess().Stdout;
            Assert.Equal(3, LabConfigs.AspDrop(asp, "internal-error"));
            Assert.Contains("Internal error while processing the packet (internal-error)", asp);
            lab.Ping(count: 4).EnsureSuccess();

            // The periodic fault report (every 10 s) names the count and the last exception. It is
            // awaited before any other fault is armed: a report that first ticked later could name
            // a later fault (CI once saw the report without FLOW-LOOKUP in it). Its absence shows
            // the log's tail.
            WaitFor(() => Regex.Match(File.ReadAllText(lab.LogPath), @"(\d+) frame\(s\) lost to processing faults so far") is { Success: true } m
                    && long.Parse(m.Groups[1].Value) >= 3,
                "the fault report in the log", TimeSpan.FromSeconds(45),
                () => string.Join('\n', File.ReadAllLines(lab.LogPath).TakeLast(30)));
            Assert.Contains("injected fault in stage FLOW-LOOKUP", File.ReadAllText(lab.LogPath));

            // The engine throws: under the default fail-close the packet drops as snort-down.
            lab.Cli("debug fault stage snort count 2").EnsureSuccess();
            ping = lab.Ping(count: 3);
            Assert.Contains("3 packets transmitted, 1 received", ping.Stdout);
            Assert.Equal(2, LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "snort-down"));
            var stats = lab.Cli("show snort statistics").EnsureSuccess().Stdout;
            Assert.Equal(2, Stat(stats, "Engine faults"));
            Assert.Equal(2, Stat(stats, "Packets dropped (Snort Down)"));
            Assert.Contains("Failure policy: fail-close", stats);

            // Armed and disarmed again: nothing is lost.
            lab.Cli("debug fault stage ACCESS-LIST count 100").EnsureSuccess();
            lab.Cli("undebug fault").EnsureSuccess();
            lab.Ping(count: 4).EnsureSuccess();
            var unknown = lab.Cli("debug fault stage NOSUCH count 1");
            Assert.Contains("unknown stage 'NOSUCH'", unknown.Stdout + unknown.Stderr);

        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void The_release_build_has_neither_the_fault_hook_nor_the_command()
    {
        LiveLab.Run(Path.Combine(LiveLab.Root, "scripts", "bridged"), ["--help"], TimeSpan.FromMinutes(5)).EnsureSuccess();
        LiveLab.Run(Path.Combine(LiveLab.Root, "scripts", "bridged"), ["--build", "debug", "--help"], TimeSpan.FromMinutes(5)).EnsureSuccess();
        string release = Path.Combine(LiveLab.Root, "artifacts", "bridged");
        string debug = Path.Combine(LiveLab.Root, "artifacts", "bridged-debug");
        // The same reader finds them in the debug build, so an empty answer for release means absent.
        Assert.Contains("Bridge.Pipeline.Core.FaultHook", TypeNames(Path.Combine(debug, "Bridge.Pipeline.dll")));
        Assert.Contains("Bridge.Daemon.Commands.Debug.DebugFaultCommand", TypeNames(Path.Combine(debug, "bridged.dll")));
        Assert.DoesNotContain(TypeNames(Path.Combine(release, "Bridge.Pipeline.dll")), n => n.Contains("Fault", StringComparison.Ordinal));
        Assert.DoesNotContain(TypeNames(Path.Combine(release, "bridged.dll")), n => n.Contains("Fault", StringComparison.Ordinal));
        Assert.DoesNotContain("debug fault", File.ReadAllText(Path.Combine(release, "bridged.dll"), System.Text.Encoding.Latin1));
    }

    private static List<string> TypeNames(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (var h in md.TypeDefinitions)
        {
            var t = md.GetTypeDefinition(h);
            names.Add(md.GetString(t.Namespace) + "." + md.GetString(t.Name));
        }
        return names;
    }

    [Theory]
    [InlineData("fail-close")]
    [InlineData("fail-open")]
    public void Rules_that_fail_to_load_at_start_leave_the_engine_down_under_the_policy(string policy)
    {
        string rules = TempRules(AlertRule);
        string missing = rules + ".missing";
        try
        {
            string config = LabConfigs.Seed + $"\nsnort rules {missing}\n" + (policy == "fail-open" ? "snort fail-open\n" : "");
            using var lab = LiveLab.Up(config: config);
            Assert.Contains(policy == "fail-open" ? "snort fail-open\n" : $"snort rules {missing}\n",
                lab.Cli("show running-config snort").EnsureSuccess().Stdout);
            var ping = lab.Ping(count: 3);
            var stats = lab.Cli("show snort statistics").EnsureSuccess().Stdout;
            Assert.Contains("Engine down", stats);
            if (policy == "fail-open")
            {
                Assert.Contains("3 packets transmitted, 3 received", ping.Stdout);
                Assert.Equal(6, Stat(stats, "Packets bypassed (Snort Down)"));
            }
            else
            {
                Assert.Contains("3 packets transmitted, 0 received", ping.Stdout);
                Assert.Equal(3, LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "snort-down"));
                Assert.Equal(3, Stat(stats, "Packets dropped (Snort Down)"));
            }

            // The file appears, the configuration points at it, the engine comes up: inspected again.
            File.WriteAllText(lab.ConfigPath, File.ReadAllText(lab.ConfigPath).Replace(missing, rules, StringComparison.Ordinal));
            lab.Reload().EnsureSuccess();
            WaitFor(() => lab.Cli("show snort statistics").Stdout.Contains("Rules loaded"), "the rules to load after SIGHUP");
            lab.Ping(count: 3).EnsureSuccess();
            Assert.Matches(@"1:1000101:1\s+alert\s+3  BRIDGE-LAB ping\n", lab.Cli("show snort rules").EnsureSuccess().Stdout);

            string log = lab.Down();
            Assert.Contains($"Rules not loaded: snort rules {missing}: no such file or folder", log);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void A_broken_rule_file_is_refused_by_snort_reload_naming_file_and_line_and_the_old_rules_keep_working()
    {
        const string Drop = "drop icmp any any -> any any (msg:\"BRIDGE-LAB deadbeef\"; itype:8; content:\"|de ad be ef|\"; sid:1000102; rev:1;)\n";
        string rules = TempRules(Drop);
        try
        {
            using var lab = LiveLab.Up(config: LabConfigs.Seed + $"\nsnort rules {rules}\n");
            Assert.Contains("0 received", lab.Ping(count: 2, extra: ["-p", "deadbeef"]).Stdout);

            // Line 2 lost its closing parenthesis and option list in an edit.
            File.WriteAllText(rules, Drop + "alert tcp any any -> any 80 msg:\"half a rule\"\n");
            var reload = lab.Cli("snort reload");
            Assert.NotEqual(0, reload.ExitCode);
            string said = reload.Stdout + reload.Stderr;
            Assert.Contains($"{rules}:2: rule without option list", said);
            Assert.Contains("the running rules are unchanged", said);

            // The old rule set still drops the marked pings and passes the others.
            Assert.Contains("0 received", lab.Ping(count: 2, extra: ["-p", "deadbeef"]).Stdout);
            lab.Ping(count: 2).EnsureSuccess();
            Assert.Matches(@"1:1000102:1\s+drop\s+4  BRIDGE-LAB deadbeef\n", lab.Cli("show snort rules").EnsureSuccess().Stdout);
            Assert.Matches(@"Rules loaded\s+1\n", lab.Cli("show snort statistics").EnsureSuccess().Stdout);

            string log = lab.Down();
            Assert.Contains($"Rules reload refused: {rules}:2: rule without option list", log);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void A_broken_config_on_SIGHUP_is_refused_naming_file_and_line_and_the_old_config_keeps_running()
    {
        using var lab = LiveLab.Up();
        lab.Ping(count: 2).EnsureSuccess();
        string before = lab.Cli("show running-config").EnsureSuccess().Stdout;

        // A deny-all placed first and a typo two lines below it: nothing of the file may apply.
        var lines = File.ReadAllLines(lab.ConfigPath).ToList();
        int at = lines.FindIndex(l => l.StartsWith("access-list CSM_FW_ACL_ remark rule-id 268436482", StringComparison.Ordinal));
        lines.Insert(at, "access-list CSM_FW_ACL_ advanced deny ip any any rule-id 1");
        lines.Insert(at + 1, "!");
        lines.Insert(at + 2, "acess-group CSM_FW_ACL_ global");
        File.WriteAllLines(lab.ConfigPath, lines);
        lab.Reload().EnsureSuccess();

        string expected = $"Reload refused: {lab.ConfigPath}:{at + 3}:1:";
        WaitFor(() => File.ReadAllText(lab.LogPath).Contains(expected, StringComparison.Ordinal), "the refusal in the log");
        Assert.Contains("the running configuration is unchanged", File.ReadAllText(lab.LogPath));
        Assert.Equal(before, lab.Cli("show running-config").EnsureSuccess().Stdout);
        lab.Ping(count: 3).EnsureSuccess();
    }

    [Fact]
    public void Link_down_and_up_on_the_inside_side_is_survived()
    {
        using var lab = LiveLab.Up();
        lab.Ping(count: 2).EnsureSuccess();

        lab.Exec("bridge", "ip", "link", "set", "veth-in", "down").EnsureSuccess();
        Assert.NotEqual(0, lab.Ping(count: 3).ExitCode);

        lab.Exec("bridge", "ip", "link", "set", "veth-in", "up").EnsureSuccess();
        ForwardingTests.WaitOperUp(lab, "bridge", "veth-in");
        lab.Ping(count: 5, interval: "0.3");
        var after = lab.Ping(count: 4);
        Assert.True(after.ExitCode == 0, after.Stdout + after.Stderr);
    }

    /// <summary>
    /// The engine made slow for real: a pcre with catastrophic backtracking on every packet of a UDP
    /// flood (each match runs into the engine's 50 ms timeout) behind a 256 KiB receive ring, so the
    /// ring backs up past 75 % within a second of flooding.
    /// </summary>
    [Theory]
    [InlineData("fail-close")]
    [InlineData("fail-open")]
    public void A_flood_the_engine_cannot_keep_up_with_makes_it_busy_and_the_policy_applies(string policy)
    {
        string rules = TempRules("alert udp any any -> any 9999 (msg:\"BRIDGE-LAB slow\"; content:\"aaaa\"; pcre:\"/(a+)+b/\"; sid:1000103; rev:1;)\n");
        try
        {
            string config = LabConfigs.Seed + $"\nsnort rules {rules}\n" + (policy == "fail-open" ? "snort fail-open\n" : "");
            using var lab = LiveLab.Up(config: config, environment: new Dictionary<string, string> { ["Bridge__AfPacket__RingBytes"] = "262144" });
            lab.Ping(count: 2).EnsureSuccess();

            // Five seconds of about 2000 datagrams a second towards B (nothing listens; the bridge only forwards).
            lab.Exec("hostA", TimeSpan.FromSeconds(60), "/usr/bin/python3", "-c",
                "import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nend = time.time() + 5\n" +
                "while time.time() < end:\n  s.sendto(b'a' * 600, ('192.168.101.1', 9999)); time.sleep(0.0005)").EnsureSuccess();

            var stats = lab.Cli("show snort statistics").EnsureSuccess().Stdout;
            if (policy == "fail-open")
            {
                Assert.True(Stat(stats, "Packets bypassed (Snort Busy)") > 0, stats);
                Assert.Equal(0, Stat(stats, "Packets dropped (Snort Busy)"));
            }
            else
            {
                Assert.True(Stat(stats, "Packets dropped (Snort Busy)") > 0, stats);
                Assert.True(LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "snort-busy-not-fail-open") > 0);
                Assert.Equal(0, Stat(stats, "Packets bypassed (Snort Busy)"));
            }

            // The flood is over, the backlog drains below 25 %, and the engine inspects again.
            WaitFor(() => lab.Ping(count: 2).ExitCode == 0, "pings to pass after the flood");
            string metrics = lab.Exec("bridge", "/usr/bin/python3", "-c",
                "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9477/metrics').read().decode())").EnsureSuccess().Stdout;
            Assert.Matches(policy == "fail-open" ? @"bridge_snort_fail_open_total\{cause=""busy""\} [1-9]" : @"bridge_snort_fail_close_total\{cause=""busy""\} [1-9]", metrics);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    private static void WaitFor(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? seen = null)
    {
        long deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(20)).TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 >= deadline)
                Assert.Fail($"timed out waiting for {what}" + (seen is null ? "" : ":\n" + seen()));
            Thread.Sleep(200);
        }
    }
}
