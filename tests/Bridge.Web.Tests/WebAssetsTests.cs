using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Http.Web;
using Bridge.Daemon.Tests.Http;

namespace Bridge.Web.Tests;

/// <summary>The pages' files as the HTTPS server sends them, and <c>show curpriv</c> behind the header.</summary>
public sealed partial class WebAssetsTests
{
    private static string StaticDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "src", "Bridge.Daemon", "Http", "Web", "static"));

    [GeneratedRegex(@"from '\./([a-z-]+\.js)'")]
    private static partial Regex ModuleImport();

    [GeneratedRegex(@"(?:src|href)=""(/[^""#]*)""")]
    private static partial Regex ShellReference();

    [Fact]
    public void Every_file_of_the_static_folder_is_embedded_byte_for_byte()
    {
        var files = Directory.GetFiles(StaticDirectory()).Select(p => Path.GetFileName(p)).Order().ToArray();
        Assert.Equal(files, WebPages.Assets.Keys.Order().ToArray());
        foreach (string file in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(StaticDirectory(), file)), WebPages.Assets[file].Body);
    }

    [Fact]
    public void The_pages_load_nothing_from_elsewhere_and_every_module_they_import_exists()
    {
        foreach (var asset in WebPages.Assets.Values)
        {
            string text = System.Text.Encoding.UTF8.GetString(asset.Body);
            // The SVG namespace is a name, not a fetch.
            Assert.DoesNotMatch(@"https?://(?!www\.w3\.org/2000/svg)", text);
            Assert.DoesNotContain(".innerHTML", text);
            foreach (Match import in ModuleImport().Matches(text))
                Assert.True(WebPages.Assets.ContainsKey(import.Groups[1].Value), $"{asset.Name} imports missing {import.Groups[1].Value}");
        }
        string shell = System.Text.Encoding.UTF8.GetString(WebPages.Assets["index.html"].Body);
        var references = ShellReference().Matches(shell).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["/web/favicon.svg", "/web/app.css", "/web/app.js"], references);
    }

    [Fact]
    public async Task Files_are_served_with_their_type_an_ETag_and_revalidation_and_the_shell_with_a_CSP()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        using var client = f.Client("viewer", HttpsServerFixture.ViewerPassword);

        using (var shell = await client.GetAsync(f.Url("/")))
        {
            Assert.Equal(HttpStatusCode.OK, shell.StatusCode);
            Assert.Equal("text/html", shell.Content.Headers.ContentType!.MediaType);
            Assert.Equal("utf-8", shell.Content.Headers.ContentType.CharSet);
            Assert.Equal(WebPages.Assets["index.html"].Body, await shell.Content.ReadAsByteArrayAsync());
            string csp = shell.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("DENY", shell.Headers.GetValues("X-Frame-Options").Single());
        }

        foreach (var (file, type) in new[] { ("app.js", "text/javascript"), ("tracer.js", "text/javascript"), ("app.css", "text/css"), ("favicon.svg", "image/svg+xml") })
        {
            using var response = await client.GetAsync(f.Url("/web/" + file));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True(response.Headers.CacheControl!.NoCache && response.Headers.CacheControl.Private);
            var etag = response.Headers.ETag!;
            Assert.False(etag.IsWeak);
            Assert.Equal(WebPages.Assets[file].Body, await response.Content.ReadAsByteArrayAsync());

            using var again = new HttpRequestMessage(HttpMethod.Get, f.Url("/web/" + file));
            again.Headers.IfNoneMatch.Add(etag);
            using var revalidated = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
            Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        }

        using var missing = await client.GetAsync(f.Url("/web/nope.js"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var dotted = await client.GetAsync(f.Url("/web/..%2FBridge.Daemon.csproj"));
        Assert.Equal(HttpStatusCode.NotFound, dotted.StatusCode);
    }

    [Fact]
    public async Task Without_credentials_the_browser_is_asked_to_log_in()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        using var client = f.Client(user: null);
        foreach (string path in new[] { "/", "/web/app.js" })
        {
            using var response = await client.GetAsync(f.Url(path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        using var wrong = f.Client("admin", "not-the-password");
        using var refused = await wrong.GetAsync(f.Url("/"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Show_curpriv_gives_each_user_its_level()
    {
        await using var f = await HttpsServerFixture.StartAsync();
        foreach (var (user, password, privilege, role, mode) in new[]
        {
            ("admin", HttpsServerFixture.AdminPassword, 15, "admin", "P_PRIV"),
            ("viewer", HttpsServerFixture.ViewerPassword, 5, "monitor", "P_UNPR"),
        })
        {
            using var client = f.Client(user, password);
            using var response = await client.PostAsync(f.Url("/api/command"), JsonContent.Create(new { command = "show curpriv" }, new MediaTypeHeaderValue("application/json")));
            var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(0, (int)answer["status"]!);
            Assert.Equal($"Username : {user}\nCurrent privilege level : {privilege}\nCurrent Mode/s : {mode}\n", (string)answer["text"]!);
            Assert.Equal(user, (string)answer["json"]!["username"]!);
            Assert.Equal(privilege, (int)answer["json"]!["privilege"]!);
            Assert.Equal(role, (string)answer["json"]!["role"]!);
        }

        // Socket users have no username line: their role stands for ASA's two levels, whatever their name.
        var root = await f.Dispatcher.ExecuteAsync("show curpriv", f.Root, json: true, stream: null, CancellationToken.None);
        Assert.Equal("Username : root\nCurrent privilege level : 15\nCurrent Mode/s : P_PRIV\n", root.Text);
        var monitor = await f.Dispatcher.ExecuteAsync("show curpriv", new AdminSession("admin", AdminRole.Monitor), json: true, stream: null, CancellationToken.None);
        Assert.Equal(1, (int)monitor.Json!["privilege"]!);
    }
}
