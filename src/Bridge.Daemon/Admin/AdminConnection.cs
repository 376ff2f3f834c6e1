using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Admin;

/// <summary>
/// One client of the admin socket (framing in PROTOCOL.md): reads line-delimited JSON requests,
/// runs each as its own task so that a later <c>cancel</c> can reach a running one, and writes
/// responses one whole line at a time. A malformed line gets an error response; only an
/// over-long line or a client that stops reading ends the connection.
/// </summary>
internal sealed class AdminConnection(Socket socket, CommandDispatcher dispatcher, AdminSession session, ILogger log)
{
    /// <summary>Longest request line accepted; a command line is far shorter.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>A client that does not take a response within this time is dropped rather than holding its task.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _questions = new(StringComparer.Ordinal);
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);

    public async Task RunAsync(CancellationToken stopping)
    {
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var tasks = new List<Task>();
        try
        {
            var buffer = new byte[64 * 1024];
            var line = new MemoryStream();
            while (true)
            {
                int n = await _stream.ReadAsync(buffer, connectionCts.Token).ConfigureAwait(false);
                if (n == 0) break;
                int start = 0;
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    line.Write(buffer, start, i - start);
                    start = i + 1;
                    byte[] request = line.ToArray();
                    // Each request on its own task: a slow command must not keep the reader from seeing a cancel.
                    tasks.Add(Task.Run(() => HandleLineAsync(request, connectionCts.Token), CancellationToken.None));
                    line.SetLength(0);
                }
                line.Write(buffer, start, n - start);
                if (line.Length > MaxLineBytes)
                {
                    await SendAsync(Error(null, $"request longer than {MaxLineBytes} bytes; closing"), connectionCts.Token).ConfigureAwait(false);
                    break;
                }
                tasks.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            log.LogDebug(e, "admin connection of {User} ended", session.User);
        }
        finally
        {
            // The client is gone: cancel whatever it still had running.
            await connectionCts.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleLineAsync(byte[] bytes, CancellationToken token)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        if (bytes.Length == 0) return;
        AdminRequest request;
        try
        {
            request = AdminRequest.Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            await SendAsync(Error(TryId(bytes), "malformed request: " + e.Message), token).ConfigureAwait(false);
            return;
        }
        if (request.Cancel)
        {
            if (_running.TryGetValue(request.IdKey, out var cts)) await cts.CancelAsync().ConfigureAwait(false);
            return;
        }
        if (request.Answer is not null)
        {
            if (!_questions.TryRemove(request.IdKey, out var question))
            {
                await SendAsync(Error(request.Id, $"request {request.IdKey} is not waiting for an answer"), token).ConfigureAwait(false);
                return;
            }
            question.TrySetResult(request.Answer);
            return;
        }
        using var requestCts = CancellationTokenSource.CreateLinkedTokenSource(token);
        if (!_running.TryAdd(request.IdKey, requestCts))
        {
            await SendAsync(Error(request.Id, $"request id {request.IdKey} is already running"), token).ConfigureAwait(false);
            return;
        }
        try
        {
            var response = await RunAsync(request, requestCts.Token).ConfigureAwait(false);
            await SendAsync(response, token).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(request.IdKey, out _);
        }
    }

    private async Task<JsonObject> RunAsync(AdminRequest request, CancellationToken token)
    {
        if (session.Role == AdminRole.None) return Response(request.Id, CommandResult.Fail(CommandDispatcher.Refusal(session)), null);
        switch (request.Mode)
        {
            case RequestMode.Help:
                return Response(request.Id, dispatcher.HelpResult(request.Command, session), null);
            case RequestMode.Complete:
                var (candidates, from) = dispatcher.Complete(request.Command, session);
                var response = Response(request.Id, CommandResult.Ok(""), null);
                response["completions"] = new JsonArray([.. candidates.Select(c => (JsonNode)JsonValue.Create(c))]);
                response["from"] = from;
                return response;
            default:
                var result = await dispatcher.ExecuteAsync(
                    request.Command, session, request.Json,
                    chunk => SendAsync(new JsonObject { ["id"] = request.Id?.DeepClone(), ["chunk"] = chunk }, token),
                    request.Interactive ? (prompt, secret) => AskAsync(request, prompt, secret, token) : null,
                    token).ConfigureAwait(false);
                return Response(request.Id, result, request.Json ? result.Json : null);
        }
    }

    /// <summary>Sends a prompt for request <paramref name="request"/> and waits for the client's answer line.</summary>
    private async Task<string> AskAsync(AdminRequest request, string prompt, bool secret, CancellationToken token)
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_questions.TryAdd(request.IdKey, answer)) throw new InvalidOperationException($"request {request.IdKey} already waits for an answer");
        try
        {
            var message = new JsonObject { ["id"] = request.Id?.DeepClone(), ["prompt"] = prompt };
            if (secret) message["secret"] = true;
            await SendAsync(message, token).ConfigureAwait(false);
            return await answer.Task.WaitAsync(token).ConfigureAwait(false);
        }
        finally
        {
            _questions.TryRemove(request.IdKey, out _);
        }
    }

    private JsonObject Response(JsonNode? id, CommandResult result, JsonNode? json)
    {
        var o = new JsonObject
        {
            ["id"] = id?.DeepClone(),
            ["status"] = result.Status,
            ["text"] = result.Text,
        };
        if (json is not null) o["json"] = json.DeepClone();
        o["config"] = session.ConfigMode;
        o["mode"] = session.Mode;
        return o;
    }

    private static JsonObject Error(JsonNode? id, string message) =>
        new() { ["id"] = id?.DeepClone(), ["status"] = 1, ["text"] = "ERROR: " + message + "\n" };

    /// <summary>The id of a request that failed validation, when its JSON was at least readable.</summary>
    private static JsonNode? TryId(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes) is JsonObject o && o.TryGetPropertyValue("id", out var id) ? id?.DeepClone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task SendAsync(JsonObject message, CancellationToken token)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(WriteTimeout);
        await _writeGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            log.LogWarning("admin client {User} did not read its response within {Timeout}; closing", session.User, WriteTimeout);
            socket.Close();
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
