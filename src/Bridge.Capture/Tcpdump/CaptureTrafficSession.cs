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
    // -w: records are formatted into _pending and handed to the unbuffered file once per Pump, so
    // the file only ever grows by whole records and a failed write can be cut back to the last one.
    private readonly MemoryStream? _pending;
    private readonly FileStream? _file;
    private long _goodLength;
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
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
            // Readable by group bridge (the show-only operators), whatever the service's umask.
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            _file = new FileStream(writePath, create);
            _pending = new MemoryStream();
            _writer = new PcapWriter(_pending, snapLength: options.SnapLength ?? TcpdumpOptions.MaximumSnapLength, leaveOpen: true);
            try
            {
                WritePending();
            }
            catch (IOException)
            {
                // Not even the file header fits: leave no empty or broken file behind.
                _file.Dispose();
                File.Delete(writePath);
                throw;
            }
        }
    }

    /// <summary>
    /// Set when <c>-w</c> could not write (disk full, I/O error): nothing more is written, and the
    /// file was cut back to the last whole record, so it stays a valid pcap of what came before.
    /// </summary>
    public IOException? WriteError { get; private set; }

    /// <summary>Records the -w file holds (those written before any <see cref="WriteError"/>).</summary>
    public long Written { get; private set; }

    private void WritePending()
    {
        int length = (int)_pending!.Length;
        if (length == 0) return;
        try
        {
            _file!.Write(_pending.GetBuffer(), 0, length);
            _goodLength += length;
        }
        finally
        {
            _pending.SetLength(0);
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
            if (_writer is not null)
            {
                if (WriteError is not null) continue;
                _writer.Write(timestamp, frame, wireLength);
                // Whole records in chunks: a disk that fills mid-batch loses at most one chunk.
                if (_pending!.Length >= CommitBytes) Commit();
            }
            else
            {
                text.Append(_printer.Print(timestamp, frame, wireLength));
            }
        }
        if (_writer is not null && WriteError is null) Commit();
        return text.ToString();
    }

    private const int CommitBytes = 64 * 1024;

    private void Commit()
    {
        long records = _matched;
        try
        {
            WritePending();
            Written = records;
        }
        catch (IOException e)
        {
            WriteError = e;
            try
            {
                // A short write may have left half a record: back to the last whole one.
                _file!.SetLength(_goodLength);
            }
            catch (IOException)
            {
                // The file cannot even be cut; the error above is what the operator needs to know.
            }
        }
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
        _file?.Dispose();
        _filter.Dispose();
    }
}
