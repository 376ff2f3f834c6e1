using System.Buffers.Binary;
using Bridge.Packets.Pcap;

namespace Bridge.Capture.Tcpdump;

/// <summary>
/// <c>bridged tcpdump -r FILE [flags] [expression]</c>: reads a pcap or pcapng file and prints what
/// <c>tcpdump -r</c> prints (the <c>reading from file</c> line and errors on stderr, packets on
/// stdout), or with <c>-w</c> copies the matching packets into a new pcap. As with tcpdump reading
/// a file, <c>-s</c> is accepted and has no effect.
/// </summary>
public static class TcpdumpOffline
{
    private const uint LinkTypeEthernet = 1;

    /// <summary>Runs the command; returns tcpdump's exit code (0, or 1 after an error).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, ServiceNames? names = null, TimeZoneInfo? zone = null)
    {
        TcpdumpOptions options;
        try
        {
            options = TcpdumpOptions.Parse(args);
        }
        catch (TcpdumpUsageException e)
        {
            stderr.WriteLine("tcpdump: " + e.Message);
            return 1;
        }
        if (options.ReadFile is null)
        {
            stderr.WriteLine("tcpdump: bridged tcpdump reads capture files only: -r FILE is required");
            return 1;
        }
        PcapReader reader;
        try
        {
            reader = PcapReader.Open(options.ReadFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PcapFormatException)
        {
            stderr.WriteLine("tcpdump: " + OpenError(options.ReadFile, e));
            return 1;
        }
        using (reader)
        {
            if (!TryFirstInterface(options.ReadFile, out uint linkType, out int snapLength) || linkType != LinkTypeEthernet)
            {
                stderr.WriteLine($"tcpdump: {options.ReadFile}: link-type {linkType} is not supported (Bridge reads Ethernet captures)");
                return 1;
            }
            stderr.WriteLine($"reading from file {options.ReadFile}, link-type EN10MB (Ethernet), snapshot length {snapLength}");
            TcpdumpFilter filter;
            try
            {
                filter = TcpdumpFilter.Compile(options.Filter);
            }
            catch (TcpdumpUsageException e)
            {
                stderr.WriteLine("tcpdump: " + e.Message);
                return 1;
            }
            using (filter)
            {
                return options.WriteFile is null
                    ? Print(reader, filter, options, stdout, stderr, names ?? ServiceNames.System, zone)
                    : Copy(reader, filter, options, snapLength, stderr);
            }
        }
    }

    private static int Print(PcapReader reader, TcpdumpFilter filter, TcpdumpOptions options, TextWriter stdout, TextWriter stderr, ServiceNames names, TimeZoneInfo? zone)
    {
        var printer = new TcpdumpPrinter(options, names, zone);
        long printed = 0;
        try
        {
            while ((options.Count is null || printed < options.Count) && reader.TryReadNext(out var record))
            {
                var frame = record.Data.Span;
                if (!filter.Matches(frame)) continue;
                stdout.Write(printer.Print(record.TimestampNanoseconds, frame, record.OriginalLength));
                printed++;
            }
        }
        catch (PcapFormatException e)
        {
            stdout.Flush();
            stderr.WriteLine("tcpdump: pcap_loop: " + e.Message);
            return 1;
        }
        stdout.Flush();
        return 0;
    }

    private static int Copy(PcapReader reader, TcpdumpFilter filter, TcpdumpOptions options, int snapLength, TextWriter stderr)
    {
        long written = 0;
        try
        {
            using var writer = new PcapWriter(File.Create(options.WriteFile!), snapLength: snapLength);
            while ((options.Count is null || written < options.Count) && reader.TryReadNext(out var record))
            {
                if (!filter.Matches(record.Data.Span)) continue;
                writer.Write(record.TimestampNanoseconds, record.Data.Span, record.OriginalLength);
                written++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"tcpdump: {options.WriteFile}: {e.Message}");
            return 1;
        }
        catch (PcapFormatException e)
        {
            stderr.WriteLine("tcpdump: pcap_loop: " + e.Message);
            return 1;
        }
        return 0;
    }

    private static string OpenError(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"{path}: No such file or directory",
        UnauthorizedAccessException => $"{path}: Permission denied",
        PcapFormatException { Offset: 0 } => $"{path}: unknown file format",
        _ => $"{path}: {e.Message}",
    };

    /// <summary>
    /// Link type and snapshot length of the file's first interface, as the <c>reading from file</c>
    /// line reports them (a pcapng snapshot length of 0 means "no limit": libpcap reports 262144).
    /// </summary>
    public static bool TryFirstInterface(string path, out uint linkType, out int snapLength)
    {
        linkType = 0;
        snapLength = 0;
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[24];
        if (stream.ReadAtLeast(head, 24, throwOnEndOfStream: false) < 24) return false;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
        if (magic == 0x0A0D0D0A)
        {
            bool big = BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(8)) == 0x4D3C2B1A;
            uint sectionLength = Read32(head.Slice(4), big);
            stream.Position = sectionLength;
            // Blocks before the first interface description (rare) are skipped.
            Span<byte> block = stackalloc byte[16];
            while (stream.ReadAtLeast(block, 16, throwOnEndOfStream: false) == 16)
            {
                uint type = Read32(block, big);
                uint length = Read32(block.Slice(4), big);
                if (type == 1)
                {
                    linkType = big ? BinaryPrimitives.ReadUInt16BigEndian(block.Slice(8)) : BinaryPrimitives.ReadUInt16LittleEndian(block.Slice(8));
                    uint snap = Read32(block.Slice(12), big);
                    snapLength = snap == 0 || snap > TcpdumpOptions.MaximumSnapLength ? TcpdumpOptions.MaximumSnapLength : (int)snap;
                    return true;
                }
                if (length < 12) return false;
                stream.Position += length - 16;
            }
            return false;
        }
        bool bigEndian = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        if (!bigEndian && magic is not (0xA1B2C3D4 or 0xA1B23C4D)) return false;
        snapLength = (int)Math.Min(Read32(head.Slice(16), bigEndian), int.MaxValue);
        linkType = Read32(head.Slice(20), bigEndian) & 0xFFFF;
        return true;
    }

    private static uint Read32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
