using System.Diagnostics;
using Bridge.Capture;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Tests.Admin;
using Bridge.Daemon.Tests.Http;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bridge.Web.Tests;

/// <summary>
/// The web pages in headless chromium against a real HTTPS server over a PcapRuntime: log in,
/// dashboard, create a capture, feed the seed ping through the bridge, see the packets and a
/// packet's trace, download the pcap (tshark reads it), a packet-tracer denied by the ACL drawn with
/// its DROP phase highlighted, the connection table, and a privilege-5 user refused a capture.
/// </summary>
public sealed class WebPagesBrowserTests(ITestOutputHelper output)
{
    private const string CapiLine = "capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1 trace";

    private static async Task<byte[]> ExpectedPcap(HttpsServerFixture f, string name)
    {
        var contents = await CaptureStore.For(f.Runtime).ReadAsync(name, a => f.Runtime.RunOnWorkers(dp => a(dp.WorkerIndex)));
        using var ms = new MemoryStream();
        CapturePcap.Write(contents!, ms);
        return ms.ToArray();
    }

    /// <summary>Three TCP SYNs from 10.1.1.1 into INSIDE, which only the ACL's final deny ip any any matches.</summary>
    private static void FeedDenied(HttpsServerFixture f)
    {
        string pcap = Path.Combine(f.Dir, "denied.pcap");
        using (var w = PcapWriter.Create(pcap))
        {
            for (ushort i = 0; i < 3; i++)
            {
                w.Write(1_700_000_100L * 1_000_000_000 + i, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577)
                    .Ipv4(IpAddr.Parse("10.1.1.1"), IpAddr.Parse("10.2.2.2")).Tcp((ushort)(40000 + i), 443, TcpFlags.Syn).Build());
            }
        }
        f.Runtime.Feed(pcap, 0, _ => 0);
    }

    /// <summary>tshark's VLAN id, IPv4 source and ICMP type per packet of <paramref name="file"/>.</summary>
    internal static string Tshark(string file)
    {
        var start = new ProcessStartInfo("tshark", ["-r", file, "-T", "fields", "-e", "vlan.id", "-e", "ip.src", "-e", "icmp.type"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "tshark did not finish");
        Assert.True(process.ExitCode == 0, "tshark: " + stderr.Result);
        return stdout.Result;
    }

    [Fact]
    public async Task An_admin_captures_the_ping_downloads_it_and_sees_the_ACL_drop_in_packet_tracer()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        await using var browser = await Browser.LaunchAsync("admin", HttpsServerFixture.AdminPassword);
        var page = browser.Page;

        // Log in (Basic, from the context's credentials) and land on the dashboard.
        await page.GotoAsync(f.Url("/"));
        await Expect(page.Locator("#who")).ToContainTextAsync("admin");
        await Expect(page.Locator("#who .priv")).ToHaveTextAsync("privilege 15");
        await Expect(page.Locator("#hostname")).ToHaveTextAsync("firepower");
        await Expect(page.Locator("#interface-table tr[data-nameif=INSIDE]")).ToContainTextAsync("veth-in.1577");
        await Expect(page.Locator("#interface-table tr[data-nameif=OUTSIDE]")).ToContainTextAsync("veth-out");
        await Expect(page.Locator("#interface-table tr[data-nameif=INSIDE] .state")).ToHaveTextAsync("up");
        await Expect(page.Locator("#conn-count .value")).ToHaveTextAsync("0");

        // Create a capture with the form; the line it runs is shown before it runs.
        await PageForms.FillCaptureAsync(page, "CAPI", "INSIDE", "icmp", "192.168.103.1", "192.168.101.1", trace: true);
        await Expect(page.Locator("#capture-line")).ToHaveTextAsync(CapiLine);
        await page.ClickAsync("#capture-form button[type=submit]");
        var row = page.Locator("#capture-table tr[data-capture=CAPI]");
        await Expect(row).ToContainTextAsync("capturing");
        Assert.NotNull(CaptureStore.For(f.Runtime).Find("CAPI"));

        // Traffic flows through the bridge; the list's counters follow within a refresh.
        f.Ping();
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("8");
        await Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("624 B");
        await browser.ScreenshotAsync("captures", output);

        // The packets, and one packet's trace.
        await row.Locator("a", new() { HasText = "View" }).ClickAsync();
        await Expect(page.Locator("#packet-count")).ToHaveTextAsync("8 packets captured");
        var first = page.Locator("#packet-table tr[data-number='1']");
        await Expect(first).ToContainTextAsync("192.168.103.1 > 192.168.101.1: icmp: echo request");
        await Expect(first).ToContainTextAsync("22:13:20.000000");
        await Expect(page.Locator("#packet-table tr[data-number='2']")).ToContainTextAsync("echo reply");
        await first.ClickAsync();
        await Expect(page.Locator("#packet-trace")).ToContainTextAsync("Type: FLOW-CREATION");
        await Expect(page.Locator("#packet-trace")).ToContainTextAsync("Action: allow");
        await browser.ScreenshotAsync("capture-packets", output);

        // Download the pcap as the browser would: the same bytes as the capture, and tshark reads them.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download"));
        Assert.Equal("CAPI.pcap", download.SuggestedFilename);
        string saved = Path.Combine(f.Dir, "downloaded.pcap");
        await download.SaveAsAsync(saved);
        Assert.Equal(await ExpectedPcap(f, "CAPI"), File.ReadAllBytes(saved));
        var rows = Tshark(saved).TrimEnd('\n').Split('\n');
        Assert.Equal(8, rows.Length);
        Assert.Equal("1577\t192.168.103.1\t8", rows[0]);
        Assert.Equal("1577\t192.168.101.1\t0", rows[1]);

        // Dashboard again, now with traffic, a connection and the ACL's drops.
        FeedDenied(f);
        await page.ClickAsync("nav a[data-page=dashboard]");
        await Expect(page.Locator("#asp-drops tbody tr").First).ToContainTextAsync("acl-drop");
        await Expect(page.Locator("#asp-drops tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("3");
        var inside = page.Locator("#interface-table tr[data-nameif=INSIDE] td");
        await Expect(inside.Nth(4)).ToHaveTextAsync("7");
        await Expect(inside.Nth(8)).ToHaveTextAsync("3");
        await Expect(page.Locator("#conn-count .value")).ToHaveTextAsync("1");
        await browser.ScreenshotAsync("dashboard", output);

        // A packet-tracer the ACL denies (deny ip any any): the ACCESS-LIST phase is the DROP, drawn red.
        await PageForms.FillTcpTraceAsync(page, "INSIDE", "10.1.1.1", 40000, "10.2.2.2", 443, detailed: true);
        await Expect(page.Locator("#tracer-line")).ToHaveTextAsync("packet-tracer input INSIDE tcp 10.1.1.1 40000 10.2.2.2 443 detailed");
        await page.ClickAsync("#tracer-form button[type=submit]");
        var drop = page.Locator("#trace-result article.phase.drop");
        await Expect(drop).ToHaveCountAsync(1);
        await Expect(drop).ToHaveAttributeAsync("data-type", "ACCESS-LIST");
        await Expect(drop.Locator(".badge")).ToHaveTextAsync("DROP");
        await Expect(drop).ToContainTextAsync("access-list CSM_FW_ACL_ advanced deny ip any any rule-id 268434432");
        // Highlighted for real: the stylesheet loaded and paints the DROP phase red.
        Assert.Equal("rgb(253, 236, 234)", await drop.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("rgb(198, 40, 40)", await drop.EvaluateAsync<string>("e => getComputedStyle(e).borderLeftColor"));
        int phases = await page.Locator("#trace-result article.phase").CountAsync();
        Assert.True(phases >= 2, $"{phases} phases");
        await Expect(page.Locator("#trace-result article.phase.allow")).ToHaveCountAsync(phases - 1);
        await Expect(page.Locator("#trace-result article.phase").Last).ToHaveClassAsync("phase drop");
        await Expect(page.Locator("#trace-strip li.pill.drop:not(.final)")).ToHaveCountAsync(1);
        await Expect(page.Locator("#trace-strip li.pill.final")).ToHaveClassAsync("pill final drop");
        await Expect(page.Locator("#trace-final")).ToHaveClassAsync("result-block drop");
        await Expect(page.Locator("#drop-reason")).ToContainTextAsync("(acl-drop) Flow is denied by configured rule");
        string tracerShot = await browser.ScreenshotAsync("packet-tracer", output);
        Assert.True(new FileInfo(tracerShot).Length > 10_000);

        // The connection table with its filter.
        await page.ClickAsync("nav a[data-page=connections]");
        await Expect(page.Locator("#conn-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#conn-table tbody tr")).ToContainTextAsync("INSIDE 192.168.103.1:5");
        await page.FillAsync("#conn-filter", "outside 192.168.101.1");
        await Expect(page.Locator("#conn-shown")).ToHaveTextAsync("1 of 1 in use");
        await browser.ScreenshotAsync("connections", output);
        await page.FillAsync("#conn-filter", "tcp");
        await Expect(page.Locator("#conn-shown")).ToHaveTextAsync("0 of 1 in use");
        await Expect(page.Locator("#conn-table td.empty")).ToHaveTextAsync("none");

        // Delete from the list: no capture CAPI.
        await page.ClickAsync("nav a[data-page=captures]");
        await page.Locator("#capture-table tr[data-capture=CAPI] button", new() { HasText = "Delete" }).ClickAsync();
        await Expect(page.Locator("#capture-table tr[data-capture=CAPI]")).ToHaveCountAsync(0);
        Assert.Null(CaptureStore.For(f.Runtime).Find("CAPI"));

        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Stop_start_and_clear_run_their_commands()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        await f.RunAsync(CapiLine);
        f.Ping();
        await using var browser = await Browser.LaunchAsync("admin", HttpsServerFixture.AdminPassword);
        var page = browser.Page;
        await page.GotoAsync(f.Url("/#captures"));
        var row = page.Locator("#capture-table tr[data-capture=CAPI]");
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("8");

        await row.Locator("button", new() { HasText = "Stop" }).ClickAsync();
        await Expect(row).ToContainTextAsync("stopped");
        Assert.True(CaptureStore.For(f.Runtime).Find("CAPI")!.Stopped);

        await row.Locator("button", new() { HasText = "Start" }).ClickAsync();
        await Expect(row).ToContainTextAsync("capturing");
        Assert.False(CaptureStore.For(f.Runtime).Find("CAPI")!.Stopped);

        await row.Locator("button", new() { HasText = "Clear" }).ClickAsync();
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("0");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_privilege_5_user_sees_the_pages_but_the_bridge_refuses_its_capture()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        await using var browser = await Browser.LaunchAsync("viewer", HttpsServerFixture.ViewerPassword);
        var page = browser.Page;
        await page.GotoAsync(f.Url("/#captures"));
        await Expect(page.Locator("#who")).ToContainTextAsync("viewer");
        await Expect(page.Locator("#who .priv")).ToHaveTextAsync("privilege 5");

        await page.FillAsync("#capture-form input[name=name]", "SPY");
        await page.SelectOptionAsync("#capture-form select[name=protocol]", "ip");
        await page.ClickAsync("#capture-form button[type=submit]");
        var refusal = page.Locator("#capture-messages .error");
        await Expect(refusal).ToContainTextAsync("ERROR: % Permission denied: 'capture SPY interface INSIDE match ip any any' changes the bridge; it needs privilege 15");
        await Expect(page.Locator("#status")).ToHaveClassAsync("bad");
        await Expect(page.Locator("#capture-table td.empty")).ToHaveTextAsync("none");
        Assert.Null(CaptureStore.For(f.Runtime).Find("SPY"));
        await browser.ScreenshotAsync("captures-refused", output);

        // Reading is allowed: the packet-tracer runs for a privilege-5 user.
        await page.ClickAsync("nav a[data-page=packet-tracer]");
        await page.FillAsync("#tracer-form input[name=source]", "192.168.103.1");
        await page.FillAsync("#tracer-form input[name=destination]", "192.168.101.1");
        await page.ClickAsync("#tracer-form button[type=submit]");
        await Expect(page.Locator("#trace-final")).ToHaveClassAsync("result-block allow");
        await Expect(page.Locator("#trace-result article.phase.drop")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task On_a_phone_sized_screen_the_pages_do_not_scroll_sideways()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        f.Ping();
        await using var browser = await Browser.LaunchAsync("viewer", HttpsServerFixture.ViewerPassword);
        var page = browser.Page;
        await page.SetViewportSizeAsync(390, 844);
        foreach (var (hash, ready) in new[]
        {
            ("dashboard", "#interface-table tr[data-nameif=OUTSIDE]"),
            ("captures", "#capture-form"),
            ("packet-tracer", "#tracer-form"),
            ("connections", "#conn-table tbody tr"),
        })
        {
            await page.GotoAsync(f.Url("/#" + hash));
            await Expect(page.Locator(ready)).ToBeVisibleAsync();
            // Wide tables scroll inside their panel; the page itself stays as wide as the screen.
            int overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"#{hash} is {overflow} px wider than the screen");
            if (hash == "dashboard") await browser.ScreenshotAsync("dashboard-narrow", output);
        }
        Assert.Empty(browser.Errors);
    }
}
