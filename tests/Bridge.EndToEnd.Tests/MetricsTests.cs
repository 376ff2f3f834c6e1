using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>The lab daemon scraped by the real Prometheus tools: promtool's lint and a Prometheus server.</summary>
public sealed class MetricsTests
{
    private const string Scrape = "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9477/metrics').read().decode())";

    [Fact]
    public void Scrape_passes_promtool_and_agrees_with_show_asp_drop()
    {
        using var lab = LiveLab.Up(config: LabConfigs.WithFirstRule(
            "access-list CSM_FW_ACL_ advanced deny icmp 192.168.103.0 255.255.255.0 any rule-id 268436490"));
        lab.Ping(count: 3);
        lab.Ping(count: 2, from: "hostB", to: LiveLab.HostA).EnsureSuccess();

        string text = lab.Exec("bridge", "/usr/bin/python3", "-c", Scrape).EnsureSuccess().Stdout;
        string file = Path.Combine(Path.GetTempPath(), lab.Prefix + "metrics.txt");
        File.WriteAllText(file, text);
        try
        {
            var lint = LiveLab.Run("sh", ["-c", $"promtool check metrics < {file}"], TimeSpan.FromSeconds(30));
            Assert.True(lint.ExitCode == 0, lint.Stdout + lint.Stderr);
        }
        finally
        {
            File.Delete(file);
        }

        long shown = LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "acl-drop");
        Assert.True(shown >= 3, "acl-drop not counted");
        Assert.Equal(shown, Sample(text, "bridge_asp_drops_total{section=\"frame\",reason=\"acl-drop\"}"));
        Assert.Equal(1, Sample(text, "bridge_interface_link_up{interface=\"INSIDE\"}"));
        Assert.True(Sample(text, "bridge_interface_packets_total{interface=\"OUTSIDE\",direction=\"out\"}") >= 2);
        Assert.Contains("bridge_build_info{version=", text);
        // The pings arrived in receive batches, each counted once in the worker histograms.
        Assert.True(Sample(text, "bridge_worker_batch_frames_count{worker=\"0\"}") >= 1);
        Assert.Equal(Sample(text, "bridge_worker_batch_frames_count{worker=\"0\"}"), Sample(text, "bridge_worker_batch_frames_bucket{worker=\"0\",le=\"+Inf\"}"));
        Assert.Equal(0, Sample(text, "bridge_syslog_dropped_total"));

        // Every metric the shipped Grafana dashboard queries exists in a real scrape.
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(LiveLab.Root, "config", "grafana-dashboard.json")));
        var queried = new HashSet<string>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
                foreach (Match m in Regex.Matches(target.GetProperty("expr").GetString()!, @"\bbridge_[a-z_]+"))
                    queried.Add(m.Value);
        Assert.True(queried.Count >= 10, "the dashboard queries almost nothing");
        Assert.All(queried, name => Assert.Contains($"# TYPE {Family(name, text)} ", text));
    }

    /// <summary>The family a queried series belongs to: a histogram's _bucket, _sum and _count series are typed under its name.</summary>
    private static string Family(string name, string exposition)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && exposition.Contains($"# TYPE {name[..^suffix.Length]} histogram\n", StringComparison.Ordinal))
                return name[..^suffix.Length];
        }
        return name;
    }

    [Fact]
    public void A_real_prometheus_server_scrapes_the_asp_drop_counter()
    {
        using var lab = LiveLab.Up(config: LabConfigs.WithFirstRule(
            "access-list CSM_FW_ACL_ advanced deny icmp 192.168.103.0 255.255.255.0 any rule-id 268436490"));
        string dir = Directory.CreateTempSubdirectory(lab.Prefix + "prom-").FullName;
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: bridge
                static_configs:
                  - targets: ['127.0.0.1:9477']
            """);
        // In the bridge namespace: its loopback is where bridged listens, and nothing leaves it.
        using var server = lab.Start("bridge", "prometheus", $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data",
            "--web.listen-address=127.0.0.1:9090", "--log.level=warn");
        try
        {
            lab.Ping(count: 3);
            long deadline = Environment.TickCount64 + 60_000;
            double value = 0;
            string last = "";
            while (Environment.TickCount64 < deadline)
            {
                var q = lab.Exec("bridge", "/usr/bin/python3", "-c",
                    "import urllib.request,urllib.parse,sys; q=urllib.parse.quote('bridge_asp_drops_total{reason=\"acl-drop\",section=\"frame\"}'); " +
                    "sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:9090/api/v1/query?query='+q).read().decode())");
                last = q.Stdout + q.Stderr;
                if (q.ExitCode == 0)
                {
                    using var doc = JsonDocument.Parse(q.Stdout);
                    var result = doc.RootElement.GetProperty("data").GetProperty("result");
                    if (result.GetArrayLength() == 1)
                    {
                        value = double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        if (value >= 3) break;
                    }
                }
                Thread.Sleep(1000);
            }
            Assert.True(value >= 3, $"Prometheus did not return the acl-drop counter: {last}");
        }
        finally
        {
            server.Kill();
            server.WaitForExit(10_000);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Sample(string exposition, string series)
    {
        var m = Regex.Match(exposition, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"{series} not in the scrape");
        return double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
