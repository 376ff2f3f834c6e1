using System.Text;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// The seed document's ASA-engine walkthrough typed into bridgectl as the seed shows it, on the
/// live lab: captures and their listings, the HTTPS export (show running-config http before and
/// after enabling, debug http while a browser-like client downloads), copy /pcap to a TFTP server,
/// a traced capture, and packet-tracer. capture-traffic has its own test (CaptureTrafficTests).
/// </summary>
public sealed class SeedDocumentTests
{
    private const string AdminPassword = "Seed-Doc-2026";

    /// <summary>Runs one command through bridgectl with <paramref name="answers"/> on its standard input (FTD's dialogs).</summary>
    private static LiveLab.Result Dialog(LiveLab lab, string command, params string[] answers)
    {
        using var p = LiveLab.StartProcess(lab.Script, ["--prefix", lab.Prefix, "cli", "-c", command]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        foreach (var a in answers) p.StandardInput.WriteLine(a);
        p.StandardInput.Close();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"'{command}' did not finish");
        }
        p.WaitForExit();
        return new LiveLab.Result(command, p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void The_seed_walkthrough_runs_from_bridgectl_as_typed_in_the_seed()
    {
        string tftpRoot = Directory.CreateTempSubdirectory("seed-tftp-").FullName;
        try
        {
            using var lab = LiveLab.Up();

            // Step 1: the two captures, as typed in the seed.
            Assert.Equal("", lab.Cli("capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1").EnsureSuccess().Stdout);
            Assert.Equal("", lab.Cli("capture CAPO interface OUTSIDE match icmp host 192.168.101.1 host 192.168.103.1").EnsureSuccess().Stdout);
            lab.Ping(count: 4, size: 32).EnsureSuccess();

            // Step 2: the listings (CAPI carries the 4-byte 802.1Q tag on each of its 8 packets).
            var list = lab.Cli("show capture").EnsureSuccess().Stdout;
            Assert.Matches(@"capture CAPI type raw-data interface INSIDE \[Capturing - (\d+) bytes\]\n  match icmp host 192\.168\.103\.1 host 192\.168\.101\.1\n", list);
            var capi = lab.Cli("show capture CAPI").EnsureSuccess().Stdout;
            Assert.StartsWith("8 packets captured\n", capi);
            Assert.Equal(8, capi.Split('\n').Count(l => l.Contains(" 802.1Q vlan#1577 P0 ")));
            Assert.EndsWith("8 packets shown\n", capi);
            var capo = lab.Cli("show capture CAPO").EnsureSuccess().Stdout;
            Assert.StartsWith("8 packets captured\n", capo);
            Assert.DoesNotContain("802.1Q", capo);

            // HTTPS export: off and closed by default, then enabled as the FMC policy of the seed does.
            Assert.Equal("", lab.Cli("show running-config http").EnsureSuccess().Stdout);
            lab.Cli("http server enable").EnsureSuccess();
            lab.Cli("http 192.168.103.0 255.255.255.0 INSIDE").EnsureSuccess();
            // The daemon's own stack is the lab namespace's loopback: let it in too, for the download below.
            lab.Cli("http 127.0.0.0 255.0.0.0 management").EnsureSuccess();
            lab.Cli($"username admin password {AdminPassword} privilege 15").EnsureSuccess();
            Assert.Equal(
                "http server enable\nhttp 192.168.103.0 255.255.255.0 INSIDE\nhttp 127.0.0.0 255.0.0.0 management\n",
                lab.Cli("show run http").EnsureSuccess().Stdout);

            using (var debug = LiveLab.StartProcess(lab.Script, ["--prefix", lab.Prefix, "cli", "-c", "debug http 255"]))
            {
                var debugOut = new StringBuilder();
                debug.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (debugOut) debugOut.Append(e.Data).Append('\n'); };
                debug.BeginOutputReadLine();
                Thread.Sleep(1000);
                string pcap = Path.Combine(tftpRoot, "https-CAPI.pcap");
                // A browser's download, over TLS with the generated certificate (hence -k), on port 443.
                lab.Exec("bridge", "curl", "-sk", "--fail", "-u", $"admin:{AdminPassword}", "-o", pcap,
                    "https://127.0.0.1/capture/CAPI/pcap").EnsureSuccess();
                var tshark = LiveLab.Run("tshark", ["-r", pcap, "-T", "fields", "-e", "vlan.id"], TimeSpan.FromSeconds(60)).EnsureSuccess();
                Assert.Equal(Enumerable.Repeat("1577", 8), tshark.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                lab.Cli("undebug all").EnsureSuccess();
                Assert.True(debug.WaitForExit(30_000), "debug http did not end after undebug all");
                string lines;
                lock (debugOut) lines = debugOut.ToString();
                Assert.Contains("debug http enabled at level 255", lines);
                Assert.Contains("/capture/CAPI/pcap", lines);
                Assert.DoesNotContain(AdminPassword, lines);
            }

            // copy /pcap to a TFTP server, the dialog's defaults taken with Enter as in the seed.
            // tftpd-hpa resolves its address with AI_ADDRCONFIG, which wants a non-loopback IPv4
            // address in the namespace: give the lab namespace's lo one of its own.
            LiveLab.Run("ip", ["-n", lab.Prefix + "bridge", "addr", "add", "10.255.0.1/32", "dev", "lo"], TimeSpan.FromSeconds(10)).EnsureSuccess();
            using (var tftpd = lab.Start("bridge", "/usr/sbin/in.tftpd", "--foreground", "--listen", "--address", "127.0.0.1:69",
                "--create", "--secure", "--user", "root", tftpRoot))
            {
                try
                {
                    for (int i = 0; i < 100 && !lab.Exec("bridge", "ss", "-Huln", "sport", "= :69").Stdout.Contains(":69"); i++) Thread.Sleep(100);
                    var copy = Dialog(lab, "copy /pcap capture:CAPI tftp://127.0.0.1", "", "", "").EnsureSuccess();
                    Assert.Contains("Source capture name [CAPI]?", copy.Stdout);
                    Assert.Contains("Address or name of remote host [127.0.0.1]?", copy.Stdout);
                    Assert.Contains("Destination filename [CAPI]?", copy.Stdout);
                    Assert.Matches(@"!+\n?8 packets copied in \d+\.\d{3} secs", copy.Stdout);
                    Assert.Equal(File.ReadAllBytes(Path.Combine(tftpRoot, "https-CAPI.pcap")), File.ReadAllBytes(Path.Combine(tftpRoot, "CAPI")));
                }
                finally
                {
                    tftpd.Kill(entireProcessTree: true);
                    tftpd.WaitForExit();
                }
            }

            // A traced capture and one packet's trace.
            Assert.Equal("", lab.Cli("capture CAPI2 interface INSIDE trace detail trace-count 100 match icmp host 192.168.103.1 host 192.168.101.1").EnsureSuccess().Stdout);
            lab.Ping(count: 4, size: 32).EnsureSuccess();
            Assert.StartsWith("8 packets captured\n", lab.Cli("show capture CAPI2").EnsureSuccess().Stdout);
            var trace = lab.Cli("show capture CAPI2 packet-number 1 trace detail").EnsureSuccess().Stdout;
            Assert.Contains("Phase: 1\nType: CAPTURE", trace);
            Assert.Contains("Result:\ninput-interface: INSIDE", trace);
            Assert.Contains("Action: allow", trace);

            // packet-tracer, as typed in the seed.
            var tracer = lab.Cli("packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1").EnsureSuccess().Stdout;
            Assert.Contains("Type: ACCESS-LIST", tracer);
            Assert.Contains("Action: allow", tracer);
        }
        finally
        {
            Directory.Delete(tftpRoot, recursive: true);
        }
    }
}
