using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Ports;

namespace Bridge.Io.PcapFile;

/// <summary>
/// A port backed by pcap files: frames come from an input file (pcap or pcapng, Ethernet link
/// type) one per <see cref="Receive"/> call, and what the bridge sends is written to an output
/// file stamped with <see cref="NowNs"/> (the time of the frame being processed). The offline
/// stand-in for a NIC, so that tests and <c>bridged replay</c> drive the real pipeline.
/// </summary>
public sealed class PcapFilePort : IFramePort
{
    private readonly PcapReader? _reader;
    private readonly PcapWriter? _writer;
    private byte[] _buffer = new byte[16 * 1024];
    private int _length;
    private long _nextTs;
    private bool _hasNext;
    private bool _eof;

    public PcapFilePort(string name, string? inputPath, string? outputPath)
    {
        Name = name;
        if (inputPath is not null)
        {
            _reader = PcapReader.Open(inputPath);
        }
        if (outputPath is not null)
        {
            _writer = PcapWriter.Create(outputPath, PcapResolution.Nanoseconds);
        }
        _eof = _reader is null;
    }

    public string Name { get; }

    public bool LinkUp => true;

    /// <summary>The timestamp written for frames sent now.</summary>
    public long NowNs { get; set; }

    /// <summary>Frames read that were not Ethernet (skipped).</summary>
    public long SkippedNonEthernet { get; private set; }

    public long Received { get; private set; }
    public long Sent { get; private set; }

    /// <summary>The timestamp of the next input frame; false at the end of the file.</summary>
    public bool TryPeekTimestamp(out long timestampNs)
    {
        if (!_hasNext) Advance();
        timestampNs = _nextTs;
        return _hasNext;
    }

    private void Advance()
    {
        while (!_eof && _reader!.TryReadNext(out var rec))
        {
            if (rec.LinkType != PcapWriter.LinkTypeEthernet)
            {
                SkippedNonEthernet++;
                continue;
            }
            if (rec.Data.Length > _buffer.Length) _buffer = new byte[rec.Data.Length];
            rec.Data.Span.CopyTo(_buffer);
            _length = rec.Data.Length;
            _nextTs = rec.TimestampNanoseconds;
            _hasNext = true;
            return;
        }
        _eof = true;
        _hasNext = false;
    }

    public int Receive(IRxHandler handler, int timeoutMs)
    {
        if (!_hasNext) Advance();
        if (!_hasNext) return -1;
        _hasNext = false;
        Received++;
        NowNs = _nextTs;
        handler.OnFrame(_buffer.AsSpan(0, _length), _nextTs);
        return 1;
    }

    public bool Send(ReadOnlySpan<byte> frame)
    {
        if (_writer is null) return false;
        _writer.Write(NowNs, frame);
        Sent++;
        return true;
    }

    public void Flush() => _writer?.Flush();

    public void Dispose()
    {
        _reader?.Dispose();
        _writer?.Dispose();
    }
}
