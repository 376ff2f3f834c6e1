using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bridge.Daemon.Http.Web;

/// <summary>
/// The web pages (issue 8 §6): one HTML shell and its scripts and styles, embedded in bridged and
/// served behind the same authentication as every other route. The pages only ever call
/// <c>POST /api/command</c> and the capture downloads, so they can do nothing the CLI cannot.
/// <list type="bullet">
/// <item><c>GET /</c>: the shell (<c>index.html</c>);</item>
/// <item><c>GET /web/FILE</c>: its static files, by exact name (no directories, no lookups on disk).</item>
/// </list>
/// Every answer carries a strong ETag and <c>Cache-Control: private, no-cache</c>: the files are a
/// few kilobytes and change with the daemon, so the browser revalidates each time and gets a 304.
/// </summary>
public static class WebPages
{
    private const string ResourcePrefix = "Bridge.Web.";

    // Scripts and styles only from this origin, no inline code, no framing: what the pages need and nothing more.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>One embedded file, ready to send.</summary>
    public sealed record Asset(string Name, string ContentType, byte[] Body, string ETag);

    /// <summary>The embedded files by name (<c>index.html</c>, <c>app.js</c>...).</summary>
    public static FrozenDictionary<string, Asset> Assets { get; } = Load();

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", http => SendAsync(http, "index.html"));
        app.MapGet("/web/{file}", http => SendAsync(http, (string)http.GetRouteValue("file")!));
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(WebPages).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            string name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out string? type))
                throw new InvalidOperationException($"Embedded web file {name} has no known content type");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] body = copy.ToArray();
            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body), 0, 12) + "\"";
            assets[name] = new Asset(name, type, body, etag);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Task SendAsync(HttpContext http, string name)
    {
        var response = http.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (!Assets.TryGetValue(name, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync("No such page\n", http.RequestAborted);
        }
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.ETag = asset.ETag;
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers.XFrameOptions = "DENY";
        }
        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Body.Length;
        return response.Body.WriteAsync(asset.Body, http.RequestAborted).AsTask();
    }
}
