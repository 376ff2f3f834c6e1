using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bridge.Web.Tests;

/// <summary>
/// Headless Debian chromium (<c>/usr/bin/chromium</c>) driven by Playwright's node driver, which ships
/// inside the NuGet package; Playwright never downloads a browser here. One page per instance, logged in
/// with HTTP Basic; console errors and uncaught exceptions are collected so a test can insist on none.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (Errors) Errors.Add("console: " + message.Text);
        };
        page.PageError += (_, error) => { lock (Errors) Errors.Add("page: " + error); };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console errors (a CSP refusal, a failed request) and uncaught exceptions seen so far.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Where the screenshots go: artifacts/screenshots/ at the repository root (gitignored).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(Repo(), "artifacts", "screenshots");

    private static string Repo([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <summary>
    /// Starts chromium logged in as <paramref name="user"/>. With <paramref name="netns"/> the browser
    /// runs inside that network namespace (a lab's, where bridged listens on its own loopback);
    /// Playwright drives it over a pipe, so nothing of the control crosses the namespace.
    /// </summary>
    public static async Task<Browser> LaunchAsync(string user, string password, string? netns = null)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        string executable = Chromium;
        if (netns is not null)
        {
            executable = Path.Combine(Path.GetTempPath(), $"chromium-in-{netns}.sh");
            File.WriteAllText(executable, $"#!/bin/sh\nexec ip netns exec '{netns}' {Chromium} \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser;
            try
            {
                browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true });
            }
            finally
            {
                // The wrapper has exec'd chromium by the time the launch answers.
                if (executable != Chromium) File.Delete(executable);
            }
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                // The server's certificate is self-signed; the HTTPS tests pin it, the browser need not.
                IgnoreHTTPSErrors = true,
                HttpCredentials = new HttpCredentials { Username = user, Password = password },
                ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
                AcceptDownloads = true,
            });
            context.SetDefaultTimeout(15_000);
            var page = await context.NewPageAsync();
            return new Browser(playwright, browser, context, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Saves a full-page PNG under <see cref="ScreenshotDirectory"/> and prints its path.</summary>
    public async Task<string> ScreenshotAsync(string name, ITestOutputHelper output)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        string path = Path.Combine(ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine("screenshot: " + path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary>The pages' forms filled as a user does, shared by the pcap-fed and the live-lab scenarios.</summary>
public static class PageForms
{
    /// <summary>Captures page: name, interface, protocol, source and destination (and trace), not yet submitted.</summary>
    public static async Task FillCaptureAsync(IPage page, string name, string nameIf, string protocol, string source, string destination, bool trace = false)
    {
        await page.ClickAsync("nav a[data-page=captures]");
        await page.FillAsync("#capture-form input[name=name]", name);
        await page.SelectOptionAsync("#capture-form select[name=interface]", nameIf);
        await page.SelectOptionAsync("#capture-form select[name=protocol]", protocol);
        await page.FillAsync("#capture-form input[name=source]", source);
        await page.FillAsync("#capture-form input[name=destination]", destination);
        if (trace) await page.CheckAsync("#capture-form input[name=trace]");
    }

    /// <summary>Packet-tracer page: a TCP packet into <paramref name="nameIf"/>, not yet submitted.</summary>
    public static async Task FillTcpTraceAsync(IPage page, string nameIf, string source, int sport, string destination, int dport, bool detailed = false)
    {
        await page.ClickAsync("nav a[data-page=packet-tracer]");
        await page.SelectOptionAsync("#tracer-form select[name=input]", nameIf);
        await page.SelectOptionAsync("#tracer-form select[name=protocol]", "tcp");
        await page.FillAsync("#tracer-form input[name=source]", source);
        await page.FillAsync("#tracer-form input[name=sport]", sport.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#tracer-form input[name=destination]", destination);
        await page.FillAsync("#tracer-form input[name=dport]", dport.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (detailed) await page.CheckAsync("#tracer-form input[name=detailed]");
    }
}
