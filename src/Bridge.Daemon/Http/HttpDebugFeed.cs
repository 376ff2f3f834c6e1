using System.Threading.Channels;

namespace Bridge.Daemon.Http;

/// <summary>
/// The HTTPS server's debug lines (<c>debug http [LEVEL]</c>): each subscriber gets the lines at or
/// below its level through its own bounded channel; a subscriber that does not keep up loses lines
/// rather than slowing the server. <see cref="StopAll"/> (<c>undebug all</c>) ends every subscription.
/// </summary>
public sealed class HttpDebugFeed
{
    /// <summary>Server start and stop, refusals, failed logins and one line per request.</summary>
    public const int Basic = 1;

    /// <summary>Connections accepted by the allow-list and TLS handshakes.</summary>
    public const int Connections = 10;

    /// <summary>Request headers (Authorization excluded).</summary>
    public const int Headers = 255;

    private const int Backlog = 1024;
    private readonly Lock _gate = new();
    private Subscription[] _subscribers = [];

    /// <summary>The highest level any subscriber wants (0: nobody listens, skip formatting).</summary>
    public int Level
    {
        get
        {
            int max = 0;
            foreach (var s in Volatile.Read(ref _subscribers)) max = Math.Max(max, s.Level);
            return max;
        }
    }

    public Subscription Subscribe(int level)
    {
        var s = new Subscription(this, level, Channel.CreateBounded<string>(new BoundedChannelOptions(Backlog)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }));
        lock (_gate) _subscribers = [.. _subscribers, s];
        return s;
    }

    public void Write(int level, string line)
    {
        foreach (var s in Volatile.Read(ref _subscribers))
        {
            if (s.Level >= level) s.Lines.Writer.TryWrite(line);
        }
    }

    /// <summary>Writes when someone listens at <paramref name="level"/>; <paramref name="line"/> is built only then.</summary>
    public void Write(int level, Func<string> line)
    {
        if (Level >= level) Write(level, line());
    }

    /// <summary>Ends every subscription; returns how many there were.</summary>
    public int StopAll()
    {
        Subscription[] all;
        lock (_gate)
        {
            all = _subscribers;
            _subscribers = [];
        }
        foreach (var s in all) s.Lines.Writer.TryComplete();
        return all.Length;
    }

    private void Remove(Subscription s)
    {
        lock (_gate) _subscribers = Array.FindAll(_subscribers, x => x != s);
        s.Lines.Writer.TryComplete();
    }

    /// <summary>One <c>debug http</c> session; dispose to stop receiving.</summary>
    public sealed class Subscription(HttpDebugFeed feed, int level, Channel<string> lines) : IDisposable
    {
        public int Level { get; } = level;

        internal Channel<string> Lines { get; } = lines;

        /// <summary>The lines until the subscription ends (<see cref="StopAll"/> or dispose) or <paramref name="cancel"/> fires.</summary>
        public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancel) => Lines.Reader.ReadAllAsync(cancel);

        public void Dispose() => feed.Remove(this);
    }
}
