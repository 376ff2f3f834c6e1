using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bridge.Daemon.Export;

/// <summary>A TFTP transfer that failed: the server's ERROR packet (code and text), or a local reason such as a timeout.</summary>
public sealed class TftpException(string message, int errorCode = -1) : Exception(message)
{
    /// <summary>The TFTP error code the server sent, -1 when the failure was local.</summary>
    public int ErrorCode { get; } = errorCode;
}

/// <summary>What a finished TFTP write used: the block size agreed and the number of DATA blocks sent.</summary>
public sealed record TftpTransfer(int BlockSize, long Blocks, long Bytes);

/// <summary>
/// A TFTP client that writes one file (RFC 1350 WRQ, octet mode). It asks for a larger block with
/// the <c>blksize</c> option (RFC 2347/2348) and uses 512 when the server answers with a plain ACK
/// or refuses options. Every block waits <see cref="BlockTimeout"/> for its ACK and is sent again
/// up to <see cref="Retries"/> times. The server answers from a new port (its transfer id), which
/// becomes the only peer accepted; block numbers wrap from 65535 to 0 as tftpd-hpa expects.
/// </summary>
public sealed class TftpClient
{
    private const ushort OpWrq = 2, OpData = 3, OpAck = 4, OpError = 5, OpOack = 6;
    private const int StandardBlockSize = 512;

    public TimeSpan BlockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public int Retries { get; init; } = 5;

    /// <summary>The block size asked for; 1428 fits a 1500-byte MTU over IPv4 and IPv6. 512 asks for no option.</summary>
    public int RequestedBlockSize { get; init; } = 1428;

    public async Task<TftpTransfer> WriteAsync(IPEndPoint server, string fileName, Stream source, TransferProgress? progress, CancellationToken cancellation)
    {
        if (RequestedBlockSize is < 8 or > 65464) throw new ArgumentOutOfRangeException(nameof(RequestedBlockSize));
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        var session = new Session(this, socket, server, cancellation);

        bool withOptions = RequestedBlockSize != StandardBlockSize;
        int blockSize = await session.RequestAsync(fileName, withOptions).ConfigureAwait(false);
        if (blockSize < 0)
        {
            // The server refused the options (error 8): ask again without them.
            blockSize = await session.RequestAsync(fileName, withOptions: false).ConfigureAwait(false);
        }

        byte[] packet = new byte[4 + blockSize];
        BinaryPrimitives.WriteUInt16BigEndian(packet, OpData);
        ushort block = 1;
        long blocks = 0, bytes = 0;
        while (true)
        {
            int n = await source.ReadAtLeastAsync(packet.AsMemory(4, blockSize), blockSize, throwOnEndOfStream: false, cancellation).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), block);
            await session.SendDataAsync(packet.AsMemory(0, 4 + n), block).ConfigureAwait(false);
            blocks++;
            bytes += n;
            progress?.Add(n);
            // A block shorter than the block size (possibly empty) ends the file.
            if (n < blockSize) break;
            block = unchecked((ushort)(block + 1));
        }
        return new TftpTransfer(blockSize, blocks, bytes);
    }

    private static string ErrorName(int code) => code switch
    {
        1 => "File not found",
        2 => "Access violation",
        3 => "Disk full or allocation exceeded",
        4 => "Illegal TFTP operation",
        5 => "Unknown transfer ID",
        6 => "File already exists",
        7 => "No such user",
        8 => "Option negotiation refused",
        _ => "Undefined error",
    };

    private static byte[] ErrorPacket(ushort code, string message)
    {
        byte[] text = Encoding.ASCII.GetBytes(message);
        byte[] p = new byte[5 + text.Length];
        BinaryPrimitives.WriteUInt16BigEndian(p, OpError);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), code);
        text.CopyTo(p, 4);
        return p;
    }

    /// <summary>One transfer's socket, peer and receive buffer.</summary>
    private sealed class Session(TftpClient client, Socket socket, IPEndPoint server, CancellationToken cancellation)
    {
        private readonly byte[] _receive = new byte[65536];
        private IPEndPoint? _peer;

        /// <summary>Sends the WRQ; the agreed block size, or -1 when the server refused the options.</summary>
        public async Task<int> RequestAsync(string fileName, bool withOptions)
        {
            _peer = null;
            var wrq = new List<byte>(64);
            wrq.Add(0);
            wrq.Add((byte)OpWrq);
            AddString(wrq, fileName);
            AddString(wrq, "octet");
            if (withOptions)
            {
                AddString(wrq, "blksize");
                AddString(wrq, client.RequestedBlockSize.ToString(CultureInfo.InvariantCulture));
            }
            byte[] request = [.. wrq];

            for (int attempt = 0; attempt <= client.Retries; attempt++)
            {
                await socket.SendToAsync(request, SocketFlags.None, server, cancellation).ConfigureAwait(false);
                var deadline = DateTime.UtcNow + client.BlockTimeout;
                while (await ReceiveAsync(deadline).ConfigureAwait(false) is int length)
                {
                    var reply = _receive.AsSpan(0, length);
                    switch (BinaryPrimitives.ReadUInt16BigEndian(reply))
                    {
                        case OpAck when length >= 4 && BinaryPrimitives.ReadUInt16BigEndian(reply[2..]) == 0:
                            // A server without option support acknowledges the request as block 0.
                            return StandardBlockSize;
                        case OpOack:
                            return await AcceptOptionsAsync(reply[2..].ToArray(), withOptions).ConfigureAwait(false);
                        case OpError:
                            var (code, text) = ReadError(reply);
                            if (code == 8 && withOptions) return -1;
                            throw new TftpException(text, code);
                    }
                }
            }
            throw new TftpException("Timed out");
        }

        private async Task<int> AcceptOptionsAsync(byte[] options, bool asked)
        {
            int blockSize = StandardBlockSize;
            var fields = Encoding.ASCII.GetString(options).Split('\0');
            for (int i = 0; i + 1 < fields.Length; i += 2)
            {
                if (!fields[i].Equals("blksize", StringComparison.OrdinalIgnoreCase)) continue;
                // RFC 2348: the server may only lower the size asked for.
                if (!asked || !int.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out blockSize) || blockSize < 8 || blockSize > client.RequestedBlockSize)
                {
                    await SendAsync(ErrorPacket(8, "bad blksize")).ConfigureAwait(false);
                    throw new TftpException($"server answered blksize '{fields[i + 1]}'", 8);
                }
            }
            return blockSize;
        }

        /// <summary>Sends one DATA packet and waits for its ACK, sending it again on each timeout.</summary>
        public async Task SendDataAsync(ReadOnlyMemory<byte> packet, ushort block)
        {
            for (int attempt = 0; attempt <= client.Retries; attempt++)
            {
                await SendAsync(packet).ConfigureAwait(false);
                var deadline = DateTime.UtcNow + client.BlockTimeout;
                while (await ReceiveAsync(deadline).ConfigureAwait(false) is int length)
                {
                    var reply = _receive.AsSpan(0, length);
                    ushort op = BinaryPrimitives.ReadUInt16BigEndian(reply);
                    if (op == OpAck && length >= 4)
                    {
                        if (BinaryPrimitives.ReadUInt16BigEndian(reply[2..]) == block) return;
                        // An ACK for an earlier block is a late duplicate: answering it would
                        // double every packet from then on (the "sorcerer's apprentice").
                        continue;
                    }
                    if (op == OpError)
                    {
                        var (code, text) = ReadError(reply);
                        throw new TftpException(text, code);
                    }
                }
            }
            throw new TftpException("Timed out");
        }

        private ValueTask<int> SendAsync(ReadOnlyMemory<byte> packet) => socket.SendToAsync(packet, SocketFlags.None, _peer ?? server, cancellation);

        /// <summary>The length of the next packet from the transfer's peer, or null at <paramref name="deadline"/>.</summary>
        private async Task<int?> ReceiveAsync(DateTime deadline)
        {
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return null;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(left);
                SocketReceiveFromResult r;
                try
                {
                    r = await socket.ReceiveFromAsync(_receive, SocketFlags.None, new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    return null;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // ICMP port unreachable from an earlier send: nobody listens there (yet); keep waiting.
                    continue;
                }
                var from = (IPEndPoint)r.RemoteEndPoint;
                if (r.ReceivedBytes < 4 || !from.Address.Equals(server.Address)) continue;
                if (_peer is null)
                {
                    _peer = from;
                }
                else if (!from.Equals(_peer))
                {
                    // RFC 1350: a packet from another transfer id gets an error, and this transfer goes on.
                    await socket.SendToAsync(ErrorPacket(5, "Unknown transfer ID"), SocketFlags.None, from, cancellation).ConfigureAwait(false);
                    continue;
                }
                return r.ReceivedBytes;
            }
        }

        private static (int Code, string Text) ReadError(ReadOnlySpan<byte> packet)
        {
            int code = packet.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) : 0;
            var body = packet.Length > 4 ? packet[4..] : [];
            int end = body.IndexOf((byte)0);
            string text = Encoding.ASCII.GetString(end < 0 ? body : body[..end]).Trim();
            return (code, text.Length > 0 ? text : ErrorName(code));
        }

        private static void AddString(List<byte> to, string s)
        {
            to.AddRange(Encoding.ASCII.GetBytes(s));
            to.Add(0);
        }
    }
}
