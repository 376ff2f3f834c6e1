using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bridge.Capture;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Metrics;
using Bridge.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Bridge.Daemon.Http;

/// <summary>
/// What the HTTPS server serves, every route behind the authentication of <see cref="HttpsServer"/>:
/// <list type="bullet">
/// <item><c>GET [/admin]/capture/NAME/pcap[/FILE.pcap]</c>: the capture as a pcap file, streamed;</item>
/// <item><c>GET [/admin]/capture/NAME</c>: the text of <c>show capture NAME</c>;</item>
/// <item><c>POST /api/command</c> <c>{"command":"show conn"}</c> → <c>{"status":0,"text":"...","json":{...}}</c>:
/// one command through the admin socket's <see cref="CommandDispatcher"/> with the user's role, so
/// the web can do nothing the CLI cannot. Commands that stream (<c>debug http</c>) are refused.</item>
/// <item><c>GET /metrics</c>: the Prometheus metrics, as on the <c>metrics listen</c> endpoint.</item>
/// </list>
/// </summary>
public sealed partial class HttpRoutes(IBridgeRuntime runtime, CommandDispatcher dispatcher, HttpServerState state, BridgeMetrics? metrics)
{
    /// <summary>Largest accepted request body (a command line in JSON).</summary>
    public const long MaxCommandBody = 64 * 1024;

    public const string PcapContentType = "application/vnd.tcpdump.pcap";

    // FTD capture names are words; anything else (slashes, dots first, escapes) is no capture.
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex CaptureName();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,123}\.pcap$")]
    private static partial Regex PcapFileName();

    public void Map(IEndpointRouteBuilder app)
    {
        foreach (string prefix in new[] { "", "/admin" })
        {
            app.MapGet(prefix + "/capture/{name}", new RequestDelegate(CaptureTextAsync));
            app.MapGet(prefix + "/capture/{name}/pcap", new RequestDelegate(CapturePcapAsync));
            app.MapGet(prefix + "/capture/{name}/pcap/{file}", new RequestDelegate(CapturePcapAsync));
        }
        app.MapPost("/api/command", new RequestDelegate(CommandAsync));
        // The metrics of the plain endpoint, here behind TLS and a login (any privilege).
        if (metrics is not null) app.MapGet("/metrics", new RequestDelegate(metrics.ExportAsync));
        Web.WebPages.Map(app);
    }

    private static AdminSession Session(HttpContext http) => (AdminSession)http.Items[HttpsServer.SessionKey]!;

    private static Task TextAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(text, http.RequestAborted);
    }

    private async Task CaptureTextAsync(HttpContext http)
    {
        string name = (string)http.GetRouteValue("name")!;
        if (!CaptureName().IsMatch(name))
        {
            await TextAsync(http, StatusCodes.Status400BadRequest, "Invalid capture name\n").ConfigureAwait(false);
            return;
        }
        if (CaptureStore.For(runtime).Find(name) is null)
        {
            await TextAsync(http, StatusCodes.Status404NotFound, CaptureStore.NoSuchCapture(name) + "\n").ConfigureAwait(false);
            return;
        }
        // The name is one word, so the line cannot carry extra options.
        var result = await dispatcher.ExecuteAsync("show capture " + name, Session(http), json: false, stream: null, http.RequestAborted).ConfigureAwait(false);
        int status = result.Status == 0 ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        if (result.Status == 0) metrics?.HttpDownload("text", result.Text.Length);
        await TextAsync(http, status, result.Text).ConfigureAwait(false);
    }

    private async Task CapturePcapAsync(HttpContext http)
    {
        string name = (string)http.GetRouteValue("name")!;
        string? file = http.GetRouteValue("file") as string;
        if (!CaptureName().IsMatch(name) || (file is not null && !PcapFileName().IsMatch(file)))
        {
            await TextAsync(http, StatusCodes.Status400BadRequest, "Invalid capture or file name\n").ConfigureAwait(false);
            return;
        }
        var registry = CaptureStore.For(runtime);
        var contents = registry.Find(name) is null
            ? null
            : await registry.ReadAsync(name, action => runtime.RunOnWorkers(dp => action(dp.WorkerIndex), http.RequestAborted)).ConfigureAwait(false);
        if (contents is null)
        {
            await TextAsync(http, StatusCodes.Status404NotFound, CaptureStore.NoSuchCapture(name) + "\n").ConfigureAwait(false);
            return;
        }
        long length = PcapLength(contents);
        http.Response.ContentType = PcapContentType;
        http.Response.ContentLength = length;
        http.Response.Headers.ContentDisposition = $"attachment; filename={file ?? name + ".pcap"}";
        // The capture's own writer, written straight into the response through a small buffer: the
        // packets sit in memory once (the copy read from the rings), never a second time as a file.
        http.Features.Get<IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
        await using (var buffered = new BufferedStream(http.Response.Body, 64 * 1024))
        {
            CapturePcap.Write(contents, buffered);
            await buffered.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }
        metrics?.HttpDownload("pcap", length);
        state.Debug.Write(HttpDebugFeed.Basic, () => $"HTTP: capture {name}: {contents.Packets.Count} packets, {length} bytes sent as pcap");
    }

    /// <summary>The size of the pcap file: 24-byte header, then a 16-byte header per record.</summary>
    private static long PcapLength(CaptureContents contents)
    {
        long length = 24;
        foreach (var p in contents.Packets) length += 16 + p.Frame.Length;
        return length;
    }

    private async Task CommandAsync(HttpContext http)
    {
        // JSON only: a cross-site form cannot send this content type without a CORS preflight,
        // which this server never grants, so a browser's remembered credentials cannot be ridden.
        if (!http.Request.HasJsonContentType())
        {
            await TextAsync(http, StatusCodes.Status415UnsupportedMediaType, "POST a JSON object {\"command\": \"...\"} as application/json\n").ConfigureAwait(false);
            return;
        }
        string? line;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            line = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString()
                : null;
        }
        catch (JsonException)
        {
            line = null;
        }
        if (string.IsNullOrWhiteSpace(line) || line.Contains('\n'))
        {
            await TextAsync(http, StatusCodes.Status400BadRequest, "Expected {\"command\": \"ONE COMMAND LINE\"}\n").ConfigureAwait(false);
            return;
        }
        CommandResult result;
        try
        {
            result = await dispatcher.ExecuteAsync(line, Session(http), json: true, stream: _ => throw new StreamingRefusedException(), http.RequestAborted).ConfigureAwait(false);
        }
        catch (StreamingRefusedException)
        {
            result = CommandResult.Fail($"% '{line.Trim()}' streams its output until stopped; run it in bridgectl");
        }
        var answer = new JsonObject
        {
            ["status"] = result.Status,
            ["text"] = result.Text,
            ["json"] = result.Json?.DeepClone(),
        };
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(answer.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Thrown from the stream callback of an API command: the API answers once, it never streams.</summary>
    private sealed class StreamingRefusedException : Exception;
}
