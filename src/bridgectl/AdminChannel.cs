using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Bridge.Ctl;

/// <summary>Why the daemon could not be reached, worded for the operator.</summary>
public sealed class DaemonUnreachableException(string message) : Exception(message);

/// <summary>
/// The client side of the admin protocol (src/Bridge.Daemon/Admin/PROTOCOL.md): one connection,
/// requests with increasing ids, streamed chunks handed to a callback, cancellation by id.
/// </summary>
public sealed class AdminChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly Lock _writeGate = new();
    private int _nextId;

    private AdminChannel(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public static AdminChannel Connect(string path)
    {
        if (!File.Exists(path))
        {
            throw new DaemonUnreachableException($"bridged is not running (no socket at {path})");
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new AdminChannel(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable => new DaemonUnreachableException($"bridged is not running (no socket at {path})"),
                SocketError.ConnectionRefused => new DaemonUnreachableException($"bridged is not running (no socket at {path}: the file is there but nothing listens on it)"),
                SocketError.AccessDenied => new DaemonUnreachableException($"permission denied on {path}: bridgectl needs root or membership of group bridge (bridge-admin to change state)"),
                _ => new DaemonUnreachableException($"cannot connect to bridged at {path}: {e.Message}"),
            };
        }
    }

    /// <summary>The id the next <see cref="Send"/> will use (so that Ctrl+C can cancel it).</summary>
    public int CurrentId => _nextId;

    /// <summary>The daemon's mode of this connection after the last command: <c>exec</c>, <c>config</c> or a sub-mode such as <c>config-if</c>.</summary>
    public string Mode { get; private set; } = "exec";

    /// <summary>
    /// Sends a request and waits for its final response, passing streamed chunks to
    /// <paramref name="onChunk"/> and the daemon's questions (prompt, secret) to
    /// <paramref name="onPrompt"/>, whose return is sent back as the answer. Without
    /// <paramref name="onPrompt"/> the daemon takes every prompt's default.
    /// </summary>
    public JsonObject Send(string command, string mode = "exec", bool json = false, Action<string>? onChunk = null, Func<string, bool, string>? onPrompt = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var request = new JsonObject { ["id"] = id, ["command"] = command, ["format"] = json ? "json" : "text", ["mode"] = mode };
        if (onPrompt is not null) request["interactive"] = true;
        Write(request);
        while (true)
        {
            string? line;
            try
            {
                line = _reader.ReadLine();
            }
            catch (IOException e)
            {
                throw new DaemonUnreachableException($"bridged closed the connection: {e.Message}");
            }
            if (line is null) throw new DaemonUnreachableException("bridged closed the connection");
            if (JsonNode.Parse(line) is not JsonObject message) continue;
            if (message["id"] is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.Number || v.GetValue<int>() != id)
            {
                if (message["id"] is null && message["status"] is not null) return message;
                continue;
            }
            if (message["chunk"] is JsonValue chunk)
            {
                onChunk?.Invoke(chunk.GetValue<string>());
                continue;
            }
            if (message["prompt"] is JsonValue prompt)
            {
                bool secret = message["secret"] is JsonValue s && s.GetValueKind() == System.Text.Json.JsonValueKind.True;
                string answer = onPrompt?.Invoke(prompt.GetValue<string>(), secret) ?? "";
                Write(new JsonObject { ["id"] = id, ["answer"] = answer });
                continue;
            }
            if (message["mode"] is JsonValue m && m.GetValueKind() == System.Text.Json.JsonValueKind.String) Mode = m.GetValue<string>();
            else if (message["config"] is JsonValue c) Mode = c.GetValueKind() == System.Text.Json.JsonValueKind.True ? "config" : "exec";
            return message;
        }
    }

    /// <summary>Asks the daemon to cancel request <paramref name="id"/> (safe from another thread, e.g. the Ctrl+C handler).</summary>
    public void Cancel(int id) => Write(new JsonObject { ["id"] = id, ["cancel"] = true });

    private void Write(JsonObject request)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
        lock (_writeGate) _stream.Write(bytes);
    }

    public void Dispose()
    {
        _reader.Dispose();
        _socket.Dispose();
    }
}
