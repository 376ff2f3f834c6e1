using System.Text;
using Bridge.Packets.Pcap;

namespace Bridge.Capture.Tcpdump;

/// <summary>
/// One <c>capture-traffic</c> run: a ring per worker that the workers fill with what they hand to the
/// rules engine, and, on the session's own thread, the libpcap filter, the tcpdump printer and the
/// optional pcap writer. <see cref="Pump"/> turns what arrived since the last call into tcpdump
/// lines (or pcap records with <c>-w</c>), in timestamp order across workers.
/// </summary>
public sealed class CaptureTrafficSession : IDisposable
{
    /// <summary>Largest frame a slot keeps without <c>-s</c>: a 9216-byte jumbo payload with Ethernet and two tags.</summary>
    public const int MaximumFrameBytes = 9216 + 14 + 8;

    /// <summary>Ring memory per worker; the slot count follows from the slot size.</summary>
    public const int RingBytesPerWorker = 4 * 1024 * 1024;

    private readonly TcpdumpOptions _options;
    private readonly TcpdumpFilter _filter;
    private readonly TcpdumpPrinter _printer;
    private readonly PcapWriter? _writer;
    private readonly List<(long Timestamp, byte[] Frame, int WireLength)> _batch = new();
    private long _matched;

    public IReadOnlyList<SnortTapRing> Rings { get; }

    /// <param name="writePath">Where <c>-w</c> writes (already resolved into the capture directory); null prints lines.</param>
    public CaptureTrafficSession(TcpdumpOptions options, int workers, string? writePath = null, ServiceNames? names = null, TimeZoneInfo? zone = null)
    {
        _options = options;
        _filter = TcpdumpFilter.Compile(options.Filter);
        int slotSize = Math.Min(options.SnapLength ?? TcpdumpOptions.MaximumSnapLength, MaximumFrameBytes);
        int slots = Math.Clamp(RingBytesPerWorker / slotSize, 64, 4096);
        var rings = new SnortTapRing[Math.Max(1, workers)];
        for (int i = 0; i < rings.Length; i++) rings[i] = new SnortTapRing(slotSize, slots);
        Rings = rings;
        _printer = new TcpdumpPrinter(options, names, zone);
        if (writePath is not null)
        {
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read };
            // Readable by group bridge (the show-only operators), whatever the service's umask.
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            _writer = new PcapWriter(new FileStream(writePath, create), snapLength: options.SnapLength ?? TcpdumpOptions.MaximumSnapLength);
        }
    }

    /// <summary>Frames that passed the filter and were printed or written.</summary>
    public long Captured => _matched;

    /// <summary>Frames the workers offered (everything handed to the rules engine meanwhile).</summary>
    public long Received
    {
        get
        {
            long sum = 0;
            foreach (var ring in Rings) sum += ring.Offered;
            return sum;
        }
    }

    /// <summary>Frames lost to full rings.</summary>
    public long Dropped
    {
        get
        {
            long sum = 0;
            foreach (var ring in Rings) sum += ring.Dropped;
            return sum;
        }
    }

    /// <summary>True once <c>-c N</c> packets were captured.</summary>
    public bool Done => _options.Count is { } count && _matched >= count;

    /// <summary>Reads the rings; returns the tcpdump text of the frames that matched (empty with <c>-w</c>).</summary>
    public string Pump()
    {
        _batch.Clear();
        foreach (var ring in Rings)
        {
            ring.Drain((timestamp, frame, wireLength) => _batch.Add((timestamp, frame.ToArray(), wireLength)));
        }
        if (_batch.Count == 0) return "";
        // Each ring is in order; across workers, time decides (stable: ties keep worker order).
        var ordered = _batch.OrderBy(f => f.Timestamp);
        var text = new StringBuilder();
        foreach (var (timestamp, frame, wireLength) in ordered)
        {
            if (Done) break;
            if (!_filter.Matches(frame)) continue;
            _matched++;
            if (_writer is not null) _writer.Write(timestamp, frame, wireLength);
            else text.Append(_printer.Print(timestamp, frame, wireLength));
        }
        _writer?.Flush();
        return text.ToString();
    }

    /// <summary>tcpdump's closing statistics.</summary>
    public string Summary()
    {
        long captured = Captured, received = Received, dropped = Dropped;
        return $"{captured} packet{(captured == 1 ? "" : "s")} captured\n" +
               $"{received} packet{(received == 1 ? "" : "s")} received by filter\n" +
               $"{dropped} packet{(dropped == 1 ? "" : "s")} dropped by kernel\n";
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _filter.Dispose();
    }
}
