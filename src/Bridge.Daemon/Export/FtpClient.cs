using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.Daemon.Export;

/// <summary>An FTP command the server refused, or a broken exchange; <see cref="Message"/> is the server's reply text.</summary>
public sealed class FtpException(string message, int code = 0) : Exception(message)
{
    /// <summary>The reply code (530 for a bad login), 0 when the failure was local.</summary>
    public int Code { get; } = code;
}

/// <summary>One FTP reply: its code and every line of its text.</summary>
public sealed record FtpReply(int Code, string Text)
{
    public bool Positive => Code is >= 100 and < 400;

    public override string ToString() => Text;
}

/// <summary>
/// The small FTP client <c>copy … ftp:</c> needs (RFC 959, RFC 2428): log in, binary type,
/// extended passive mode with a fallback to PASV, STOR, QUIT. Replies may span several lines
/// (<c>230-…</c> up to <c>230 …</c>). Every read and connect gives up after <see cref="Timeout"/>.
/// </summary>
public sealed partial class FtpClient : IAsyncDisposable
{
    private readonly TcpClient _control;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly IPAddress _serverAddress;

    private FtpClient(TcpClient control, TimeSpan timeout)
    {
        _control = control;
        _stream = control.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        _serverAddress = ((IPEndPoint)control.Client.RemoteEndPoint!).Address;
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; }

    /// <summary>Connects and reads the server's greeting (220).</summary>
    public static async Task<FtpClient> ConnectAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellation)
    {
        var tcp = new TcpClient(server.AddressFamily);
        try
        {
            try
            {
                using var cts = Deadline(timeout, cancellation);
                await tcp.ConnectAsync(server, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new FtpException("Timed out connecting to the FTP server");
            }
            var client = new FtpClient(tcp, timeout);
            var greeting = await client.ReadReplyAsync(cancellation).ConfigureAwait(false);
            if (greeting.Code != 220) throw new FtpException(greeting.Text, greeting.Code);
            return client;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>USER, then PASS when the server asks for it (331).</summary>
    public async Task LoginAsync(string user, string password, CancellationToken cancellation)
    {
        var reply = await CommandAsync("USER " + user, cancellation).ConfigureAwait(false);
        if (reply.Code == 331) reply = await CommandAsync("PASS " + password, cancellation).ConfigureAwait(false);
        if (reply.Code is not (230 or 202)) throw new FtpException(ExportUrl.Scrub(reply.Text, password), reply.Code);
    }

    /// <summary>Stores <paramref name="source"/> as <paramref name="path"/> in binary mode; returns the bytes sent.</summary>
    public async Task<long> StoreAsync(string path, Stream source, TransferProgress? progress, CancellationToken cancellation)
    {
        Expect(await CommandAsync("TYPE I", cancellation).ConfigureAwait(false), 200);
        using var data = await OpenDataConnectionAsync(cancellation).ConfigureAwait(false);
        var start = await CommandAsync("STOR " + path, cancellation).ConfigureAwait(false);
        if (start.Code is not (125 or 150)) throw new FtpException(start.Text, start.Code);

        long sent = 0;
        await using (var stream = data.GetStream())
        {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = await source.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            {
                using (var cts = Deadline(Timeout, cancellation)) await stream.WriteAsync(buffer.AsMemory(0, n), cts.Token).ConfigureAwait(false);
                sent += n;
                progress?.Add(n);
            }
            // Closing the data connection is what tells the server the file is complete.
            data.Client.Shutdown(SocketShutdown.Send);
        }
        var done = await ReadReplyAsync(cancellation).ConfigureAwait(false);
        if (done.Code is not (226 or 250)) throw new FtpException(done.Text, done.Code);
        return sent;
    }

    public async Task QuitAsync(CancellationToken cancellation)
    {
        await CommandAsync("QUIT", cancellation).ConfigureAwait(false);
    }

    /// <summary>Sends one command line and reads its reply.</summary>
    public async Task<FtpReply> CommandAsync(string command, CancellationToken cancellation)
    {
        if (command.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new FtpException("line breaks are not allowed in an FTP command");
        byte[] line = Encoding.UTF8.GetBytes(command + "\r\n");
        using (var cts = Deadline(Timeout, cancellation)) await _stream.WriteAsync(line, cts.Token).ConfigureAwait(false);
        return await ReadReplyAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Reads one reply, all lines of a multi-line one (<c>ddd-</c> … <c>ddd </c>).</summary>
    public async Task<FtpReply> ReadReplyAsync(CancellationToken cancellation)
    {
        try
        {
            return await ReadReplyWithinAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new FtpException("Timed out waiting for the FTP server");
        }
    }

    private async Task<FtpReply> ReadReplyWithinAsync(CancellationToken cancellation)
    {
        using var cts = Deadline(Timeout, cancellation);
        string first = await ReadLineAsync(cts.Token).ConfigureAwait(false);
        if (first.Length < 3 || !int.TryParse(first.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            throw new FtpException($"unexpected reply from the FTP server: {first}");
        var text = new StringBuilder(first);
        if (first.Length > 3 && first[3] == '-')
        {
            string end = first[..3] + " ";
            while (true)
            {
                string next = await ReadLineAsync(cts.Token).ConfigureAwait(false);
                text.Append('\n').Append(next);
                if (next.StartsWith(end, StringComparison.Ordinal) || next == first[..3]) break;
            }
        }
        return new FtpReply(code, text.ToString());
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellation) =>
        await _reader.ReadLineAsync(cancellation).ConfigureAwait(false) ?? throw new FtpException("the FTP server closed the connection");

    /// <summary>EPSV (RFC 2428) first, PASV when the server does not know it; connects to the port given.</summary>
    private async Task<TcpClient> OpenDataConnectionAsync(CancellationToken cancellation)
    {
        int port;
        var epsv = await CommandAsync("EPSV", cancellation).ConfigureAwait(false);
        if (epsv.Code == 229)
        {
            var m = EpsvPort().Match(epsv.Text);
            if (!m.Success) throw new FtpException("cannot read the EPSV reply: " + epsv.Text, epsv.Code);
            port = int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        }
        else
        {
            var pasv = await CommandAsync("PASV", cancellation).ConfigureAwait(false);
            if (pasv.Code != 227) throw new FtpException(pasv.Text, pasv.Code);
            var m = PasvAddress().Match(pasv.Text);
            if (!m.Success) throw new FtpException("cannot read the PASV reply: " + pasv.Text, pasv.Code);
            port = int.Parse(m.Groups[5].ValueSpan, CultureInfo.InvariantCulture) * 256 + int.Parse(m.Groups[6].ValueSpan, CultureInfo.InvariantCulture);
        }
        if (port is < 1 or > 65535) throw new FtpException($"the FTP server offered port {port}");
        // The data connection goes to the control connection's address, never to the one a PASV
        // reply names: a server behind NAT names its private address, and a hostile one could aim
        // the bridge at a third host.
        var data = new TcpClient(_serverAddress.AddressFamily);
        try
        {
            using var cts = Deadline(Timeout, cancellation);
            await data.ConnectAsync(new IPEndPoint(_serverAddress, port), cts.Token).ConfigureAwait(false);
            return data;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private static void Expect(FtpReply reply, int code)
    {
        if (reply.Code != code) throw new FtpException(reply.Text, reply.Code);
    }

    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancellation)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        cts.CancelAfter(timeout);
        return cts;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _control.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"\(\|\|\|(\d+)\|\)")]
    private static partial Regex EpsvPort();

    [GeneratedRegex(@"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)")]
    private static partial Regex PasvAddress();
}
