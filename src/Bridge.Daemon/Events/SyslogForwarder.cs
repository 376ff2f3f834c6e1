using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Bridge.Pipeline.Config;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Events;

/// <summary>
/// Sends RFC 5424 messages to the <c>logging host</c> servers: UDP, one message per datagram
/// (RFC 5426), or TCP with octet-counting framing, <c>LEN SP MSG</c> (RFC 6587). Each server has a
/// bounded queue and a sender task of its own, so a slow or unreachable server never holds up the
/// event pump (let alone a worker): when its queue is full the message is dropped and counted
/// (<see cref="Dropped"/>). A TCP server that goes away is reconnected with backoff; what it was
/// being sent when the connection broke counts as dropped. <see cref="Configure"/> and
/// <see cref="Publish"/> are called from the pump's thread.
/// </summary>
public sealed class SyslogForwarder(ILogger log) : IAsyncDisposable
{
    /// <summary>Messages queued per server before new ones are dropped.</summary>
    public const int QueueCapacity = 10_000;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Dictionary<SyslogHost, Target> _targets = [];
    private long _sent;
    private long _dropped;

    /// <summary>Messages handed to the network.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Messages lost: queue full, or lost with a broken TCP connection.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Servers being sent to.</summary>
    public IReadOnlyCollection<SyslogHost> Hosts => _targets.Keys;

    /// <summary>Starts senders for new servers and stops those no longer configured (their queued messages go with them).</summary>
    public void Configure(IReadOnlyList<SyslogHost> hosts)
    {
        foreach (var gone in _targets.Keys.Where(h => !hosts.Contains(h)).ToList())
        {
            _targets[gone].Stop();
            _targets.Remove(gone);
        }
        foreach (var host in hosts)
        {
            if (!_targets.ContainsKey(host)) _targets[host] = new Target(this, host);
        }
    }

    /// <summary>Queues <paramref name="message"/> (an RFC 5424 message, no framing) for every server.</summary>
    public void Publish(string message)
    {
        if (_targets.Count == 0) return;
        var bytes = Encoding.UTF8.GetBytes(message);
        foreach (var target in _targets.Values)
        {
            if (!target.Queue.Writer.TryWrite(bytes)) Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Lets the senders send what is queued for up to <see cref="DrainTimeout"/>, then stops them.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var t in _targets.Values) t.Queue.Writer.TryComplete();
        var all = Task.WhenAll(_targets.Values.Select(t => t.Loop));
        await Task.WhenAny(all, Task.Delay(DrainTimeout)).ConfigureAwait(false);
        foreach (var t in _targets.Values) t.Stop();
        await all.ConfigureAwait(false);
        _targets.Clear();
    }

    /// <summary>How long a stop waits for queued messages to go out (a dead server must not hold up the daemon's stop).</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private sealed class Target
    {
        private readonly SyslogForwarder _owner;
        private readonly SyslogHost _host;
        private readonly CancellationTokenSource _stop = new();

        public Target(SyslogForwarder owner, SyslogHost host)
        {
            _owner = owner;
            _host = host;
            Queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            var endpoint = new IPEndPoint(IPAddress.Parse(host.Address.ToString()), host.Port);
            Loop = host.Transport == SyslogTransport.Udp ? UdpLoopAsync(endpoint) : TcpLoopAsync(endpoint);
        }

        public Channel<byte[]> Queue { get; }

        public Task Loop { get; }

        public void Stop()
        {
            Queue.Writer.TryComplete();
            _stop.Cancel();
        }

        private async Task UdpLoopAsync(IPEndPoint endpoint)
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                await foreach (var message in Queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await socket.SendToAsync(message, SocketFlags.None, endpoint, _stop.Token).ConfigureAwait(false);
                        Interlocked.Increment(ref _owner._sent);
                    }
                    catch (SocketException e)
                    {
                        Interlocked.Increment(ref _owner._dropped);
                        _owner.Warn(_host, e.Message);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task TcpLoopAsync(IPEndPoint endpoint)
        {
            var backoff = TimeSpan.FromSeconds(1);
            var cancel = _stop.Token;
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    // Wait for something to send before connecting, so an idle server costs no connection attempts.
                    if (!await Queue.Reader.WaitToReadAsync(cancel).ConfigureAwait(false)) return;
                    using var client = new TcpClient(endpoint.AddressFamily) { NoDelay = true };
                    try
                    {
                        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                        {
                            connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                            await client.ConnectAsync(endpoint, connectTimeout.Token).ConfigureAwait(false);
                        }
                        backoff = TimeSpan.FromSeconds(1);
                        await SendFramedAsync(client.GetStream(), cancel).ConfigureAwait(false);
                        return;
                    }
                    catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
                    {
                        _owner.Warn(_host, e.Message);
                        await Task.Delay(backoff, cancel).ConfigureAwait(false);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        /// <summary>Writes queued messages as <c>LEN SP MSG</c> until the queue completes; a write failure loses the message in hand.</summary>
        private async Task SendFramedAsync(NetworkStream stream, CancellationToken cancel)
        {
            var reader = Queue.Reader;
            var frame = new MemoryStream();
            while (await reader.WaitToReadAsync(cancel).ConfigureAwait(false))
            {
                frame.SetLength(0);
                int count = 0;
                // Everything queued goes out in one write.
                while (count < 256 && reader.TryRead(out var message))
                {
                    frame.Write(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture)));
                    frame.WriteByte((byte)' ');
                    frame.Write(message);
                    count++;
                }
                try
                {
                    await stream.WriteAsync(frame.GetBuffer().AsMemory(0, (int)frame.Length), cancel).ConfigureAwait(false);
                    Interlocked.Add(ref _owner._sent, count);
                }
                catch (IOException)
                {
                    Interlocked.Add(ref _owner._dropped, count);
                    throw;
                }
            }
        }
    }

    private long _lastWarning;

    // One warning a minute at most: an unreachable server must not flood the log.
    private void Warn(SyslogHost host, string reason)
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastWarning);
        if (last != 0 && now - last < 60_000) return;
        if (Interlocked.CompareExchange(ref _lastWarning, now, last) != last) return;
        log.LogWarning("syslog server {Host}:{Port} ({Transport}): {Reason}", host.Address, host.Port, host.Transport, reason);
    }
}
