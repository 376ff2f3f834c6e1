using Bridge.EndToEnd.Tests;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bridge.Web.Tests;

/// <summary>
/// The browser scenario against the live daemon: bridged bridging the namespaces lab,
/// its HTTPS server enabled from bridgectl as an engineer would, headless chromium in the lab's
/// bridge namespace. Log in, create a capture, ping from host A to host B, see the packets,
/// download the pcap (tshark reads it), and find the DROP phase of a denied packet-tracer.
/// </summary>
public sealed class LiveLabBrowserTests(ITestOutputHelper output)
{
    private const string Password = "Lab-Web-Pa55";
    private const int Port = 8443;

    [Fact]
    public async Task Capture_a_live_ping_download_it_and_trace_a_denied_packet_in_the_browser()
    {
        using var lab = LiveLab.Up();
        foreach (var line in new[]
        {
            "http server enable " + Port,
            "http 127.0.0.0 255.0.0.0 INSIDE",
            $"username webadmin password {Password} privilege 15",
        })
        {
            lab.Cli(line).EnsureSuccess();
        }
        string url = $"https://127.0.0.1:{Port}";
        WaitForHttps(lab, url);

        await using var browser = await Browser.LaunchAsync("webadmin", Password, netns: lab.Prefix + "bridge");
        var page = browser.Page;
        await page.GotoAsync(url + "/");
        await Expect(page.Locator("#who")).ToContainTextAsync("webadmin");
        await Expect(page.Locator("#interface-table tr[data-nameif=INSIDE] .state")).ToHaveTextAsync("up");

        // The capture is made with the form, then real pings cross the bridge.
        await PageForms.FillCaptureAsync(page, "CAPI", "INSIDE", "icmp", LiveLab.HostA, LiveLab.HostB);
        await page.ClickAsync("#capture-form button[type=submit]");
        var row = page.Locator("#capture-table tr[data-capture=CAPI]");
        await Expect(row).ToContainTextAsync("capturing");

        lab.Ping(count: 4).EnsureSuccess();
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("8");
        await browser.ScreenshotAsync("live-captures", output);

        await row.Locator("a", new() { HasText = "View" }).ClickAsync();
        await Expect(page.Locator("#packet-count")).ToHaveTextAsync("8 packets captured");
        await Expect(page.Locator("#packet-table tr[data-number='1']"))
            .ToContainTextAsync($"802.1Q vlan#1577 P0 {LiveLab.HostA} > {LiveLab.HostB}: icmp: echo request");
        await Expect(page.Locator("#packet-table tr[data-number='2']")).ToContainTextAsync("echo reply");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download"));
        Assert.Equal("CAPI.pcap", download.SuggestedFilename);
        string saved = Path.Combine(Path.GetTempPath(), lab.Prefix + "CAPI.pcap");
        try
        {
            await download.SaveAsAsync(saved);
            var rows = WebPagesBrowserTests.Tshark(saved).TrimEnd('\n').Split('\n');
            Assert.Equal(8, rows.Length);
            Assert.Equal($"1577\t{LiveLab.HostA}\t8", rows[0]);
            Assert.Equal($"1577\t{LiveLab.HostB}\t0", rows[1]);
        }
        finally
        {
            File.Delete(saved);
        }

        // A packet the lab's access policy denies: the ACCESS-LIST phase is the drop, highlighted.
        await PageForms.FillTcpTraceAsync(page, "INSIDE", "10.1.1.1", 40000, "10.2.2.2", 443);
        await page.ClickAsync("#tracer-form button[type=submit]");
        var drop = page.Locator("#trace-result article.phase.drop");
        await Expect(drop).ToHaveCountAsync(1);
        await Expect(drop).ToHaveAttributeAsync("data-type", "ACCESS-LIST");
        await Expect(drop.Locator(".badge")).ToHaveTextAsync("DROP");
        await Expect(page.Locator("#drop-reason")).ToContainTextAsync("(acl-drop) Flow is denied by configured rule");
        Assert.Equal("rgb(198, 40, 40)", await drop.EvaluateAsync<string>("e => getComputedStyle(e).borderLeftColor"));
        await browser.ScreenshotAsync("live-packet-tracer", output);

        // What the browser did is what the CLI sees.
        Assert.Contains("8 packets captured", lab.Cli("show capture CAPI").EnsureSuccess().Stdout);
        Assert.Empty(browser.Errors);
    }

    // The listener follows the running config within a second or two of 'http server enable'.
    private static void WaitForHttps(LiveLab lab, string url)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var r = lab.Exec("bridge", "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", url + "/");
            if (r.Stdout == "401") return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"the HTTPS server did not answer 401 on {url}: {r}");
            Thread.Sleep(250);
        }
    }
}
