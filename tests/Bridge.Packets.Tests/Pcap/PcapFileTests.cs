using System.Buffers.Binary;
using System.Globalization;
using Bridge.Packets.Pcap;

namespace Bridge.Packets.Tests;

public class PcapFileTests
{
    private const long Epoch = 1_700_000_123_456_789_123;

    private static List<byte[]> Frames() => SampleFrames.All().Select(s => s.Frame).ToList();

    private static void WriteSamples(string path, PcapResolution resolution, int snapLength)
    {
        using var w = PcapWriter.Create(path, resolution, snapLength);
        long t = Epoch;
        foreach (var f in Frames())
        {
            w.Write(t, f);
            t += 1_234_567;
        }
    }

    /// <summary>tcpdump -xx: the captured bytes of every packet, as an independent reader sees them.</summary>
    private static List<byte[]> TcpdumpBytes(string path)
    {
        var packets = new List<byte[]>();
        List<byte>? current = null;
        foreach (var line in ExternalTool.Run("tcpdump", "-n", "-r", path, "-xx").Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("0x", StringComparison.Ordinal))
            {
                var hex = trimmed.Substring(trimmed.IndexOf(':', StringComparison.Ordinal) + 1).Replace(" ", "", StringComparison.Ordinal);
                current!.AddRange(Convert.FromHexString(hex));
            }
            else if (trimmed.Length > 0)
            {
                current = new List<byte>();
                packets.Add([]);
            }
            if (current is not null && packets.Count > 0) packets[^1] = current.ToArray();
        }
        return packets;
    }

    [Theory]
    [InlineData(PcapResolution.Microseconds, 262144)]
    [InlineData(PcapResolution.Nanoseconds, 262144)]
    [InlineData(PcapResolution.Microseconds, 50)]
    public void Written_file_reads_identically_in_tshark_tcpdump_and_our_reader(PcapResolution resolution, int snapLength)
    {
        using var tmp = new TempFile();
        WriteSamples(tmp.Path, resolution, snapLength);
        var frames = Frames();

        var tshark = ExternalTool.TsharkFields(tmp.Path, ["frame.len", "frame.cap_len", "frame.time_epoch"]);
        var dump = TcpdumpBytes(tmp.Path);
        var ours = PcapReader.ReadAll(tmp.Path);
        Assert.Equal(frames.Count, tshark.Count);
        Assert.Equal(frames.Count, dump.Count);
        Assert.Equal(frames.Count, ours.Count);

        long t = Epoch;
        for (int i = 0; i < frames.Count; i++, t += 1_234_567)
        {
            int captured = Math.Min(frames[i].Length, snapLength);
            long expectedNs = resolution == PcapResolution.Nanoseconds ? t : t / 1000 * 1000;
            Assert.Equal(frames[i].Length.ToString(CultureInfo.InvariantCulture), tshark[i][0]);
            Assert.Equal(captured.ToString(CultureInfo.InvariantCulture), tshark[i][1]);
            Assert.Equal(expectedNs, ParseEpoch(tshark[i][2]));
            Assert.Equal(frames[i].AsSpan(0, captured).ToArray(), dump[i]);
            Assert.Equal(frames[i].AsSpan(0, captured).ToArray(), ours[i].Data.ToArray());
            Assert.Equal(frames[i].Length, ours[i].OriginalLength);
            Assert.Equal(expectedNs, ours[i].TimestampNanoseconds);
            Assert.Equal(1u, ours[i].LinkType);
        }
    }

    private static long ParseEpoch(string text)
    {
        var parts = text.Split('.');
        long seconds = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var fraction = (parts.Length > 1 ? parts[1] : "").PadRight(9, '0').Substring(0, 9);
        return seconds * 1_000_000_000L + long.Parse(fraction, CultureInfo.InvariantCulture);
    }

    public static TheoryData<string> SharedCaptures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles("/work/shared/data/pcaps").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(SharedCaptures))]
    public void Shared_pcapng_matches_tshark_count_lengths_and_times(string file)
    {
        var path = Path.Combine("/work/shared/data/pcaps", file);
        var tshark = ExternalTool.TsharkFields(path, ["frame.len", "frame.cap_len", "frame.time_epoch", "frame.interface_id"]);
        using var reader = PcapReader.Open(path);
        Assert.Equal(PcapFormat.PcapNg, reader.Format);
        int i = 0;
        while (reader.TryReadNext(out var record))
        {
            Assert.True(i < tshark.Count, "more records than tshark sees");
            Assert.Equal(int.Parse(tshark[i][0], CultureInfo.InvariantCulture), record.OriginalLength);
            Assert.Equal(int.Parse(tshark[i][1], CultureInfo.InvariantCulture), record.CapturedLength);
            Assert.Equal(ParseEpoch(tshark[i][2]), record.TimestampNanoseconds);
            Assert.Equal(int.Parse(tshark[i][3], CultureInfo.InvariantCulture), record.InterfaceId);
            i++;
        }
        Assert.Equal(tshark.Count, i);
    }

    [Fact]
    public void Big_endian_classic_file_is_read()
    {
        var frame = SampleFrames.Get("tcp-data");
        var file = new byte[24 + 16 + frame.Length];
        var s = file.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(s, PcapWriter.MagicNanoseconds);
        BinaryPrimitives.WriteUInt16BigEndian(s.Slice(4), 2);
        BinaryPrimitives.WriteUInt16BigEndian(s.Slice(6), 4);
        BinaryPrimitives.WriteUInt32BigEndian(s.Slice(16), 65535);
        BinaryPrimitives.WriteUInt32BigEndian(s.Slice(20), 1);
        BinaryPrimitives.WriteUInt32BigEndian(s.Slice(24), 1_600_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(s.Slice(28), 123_456_789);
        BinaryPrimitives.WriteUInt32BigEndian(s.Slice(32), (uint)frame.Length);
        BinaryPrimitives.WriteUInt32BigEndian(s.Slice(36), (uint)frame.Length + 10);
        frame.CopyTo(s.Slice(40));
        using var reader = new PcapReader(new MemoryStream(file));
        Assert.True(reader.TryReadNext(out var r));
        Assert.Equal(1_600_000_000_123_456_789L, r.TimestampNanoseconds);
        Assert.Equal(frame.Length + 10, r.OriginalLength);
        Assert.Equal(frame, r.Data.ToArray());
        Assert.False(reader.TryReadNext(out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Handmade_pcapng_with_every_packet_block_matches_tshark(bool bigEndian)
    {
        var a = SampleFrames.Get("tcp-data");
        var b = SampleFrames.Get("icmp-echo");
        var bytes = new NgFileBuilder(bigEndian)
            .Section()
            .Interface(tsResol: 9)
            .Interface(tsResol: 0x94, tsOffsetSeconds: 10)
            .Block(0x99, [1, 2, 3, 4, 5]) // unassigned type: skipped (0x0BAD would be a custom block)
            .Enhanced(0, 1_500_000_000_123_456_789UL, a, (uint)a.Length)
            .Enhanced(1, (1_000UL << 20) + (1UL << 19), b.AsSpan(0, 40).ToArray(), (uint)b.Length)
            .Simple(a)
            .Obsolete(1, 5UL << 20, b)
            .Section()
            .Interface(snapLength: 20)
            .Simple(b.AsSpan(0, 20).ToArray(), b.Length)
            .ToArray();
        using var tmp = new TempFile();
        File.WriteAllBytes(tmp.Path, bytes);

        var records = PcapReader.ReadAll(tmp.Path);
        var tshark = ExternalTool.TsharkFields(tmp.Path, ["frame.len", "frame.cap_len", "frame.interface_id"]);
        Assert.Equal(5, records.Count);
        Assert.Equal(5, tshark.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(tshark[i][0], records[i].OriginalLength.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(tshark[i][1], records[i].CapturedLength.ToString(CultureInfo.InvariantCulture));
        }
        Assert.Equal(1_500_000_000_123_456_789L, records[0].TimestampNanoseconds);
        Assert.Equal(a, records[0].Data.ToArray());
        // 1000.5 s at 2^-20 resolution, plus the 10 s if_tsoffset.
        Assert.Equal(1_010_500_000_000L, records[1].TimestampNanoseconds);
        Assert.Equal(1, records[1].InterfaceId);
        Assert.Equal(b.AsSpan(0, 40).ToArray(), records[1].Data.ToArray());
        Assert.Equal(a, records[2].Data.ToArray());
        Assert.Equal(15_000_000_000L, records[3].TimestampNanoseconds);
        // A new section forgets the old interfaces; its only interface has snap length 20.
        Assert.Equal(20, records[4].CapturedLength);
        Assert.Equal(b.Length, records[4].OriginalLength);
    }

    [Fact]
    public void Data_span_is_reused_until_the_next_call()
    {
        using var tmp = new TempFile();
        WriteSamples(tmp.Path, PcapResolution.Microseconds, 262144);
        using var reader = PcapReader.Open(tmp.Path);
        Assert.True(reader.TryReadNext(out var first));
        var copy = first.Detach();
        Assert.True(reader.TryReadNext(out _));
        Assert.NotEqual(copy.Data.ToArray(), first.Data.ToArray());
        Assert.Equal(SampleFrames.Get("tcp-syn-vlan"), copy.Data.ToArray());
    }

    [Fact]
    public void Unknown_magic_names_offset_and_reason()
    {
        var ex = Assert.Throws<PcapFormatException>(() => new PcapReader(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8])));
        Assert.Equal(0, ex.Offset);
        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_length_mismatch_is_reported_at_the_block()
    {
        var bytes = new NgFileBuilder(false).Section().Interface().Enhanced(0, 1, [1, 2, 3, 4], 4).ToArray();
        int epb = bytes.Length - 36;
        bytes[^4] ^= 0x40;
        var ex = Assert.Throws<PcapFormatException>(() => new PcapReader(new MemoryStream(bytes)).TryReadNext(out _));
        Assert.Equal(epb, ex.Offset);
    }

    [Fact]
    public void Packet_on_undescribed_interface_is_corrupt()
    {
        var bytes = new NgFileBuilder(false).Section().Interface().Enhanced(3, 1, [1, 2, 3, 4], 4).ToArray();
        var ex = Assert.Throws<PcapFormatException>(() => new PcapReader(new MemoryStream(bytes)).TryReadNext(out _));
        Assert.Contains("interface 3", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Every truncation and many byte flips of valid files end in records or PcapFormatException, never a hang or another exception.</summary>
    [Fact]
    public void Corrupt_files_fail_cleanly()
    {
        using var tmp = new TempFile();
        WriteSamples(tmp.Path, PcapResolution.Nanoseconds, 262144);
        var classic = File.ReadAllBytes(tmp.Path);
        var ng = new NgFileBuilder(true).Section().Interface(tsResol: 9).Enhanced(0, 5, SampleFrames.Get("tcp-data"), 80).Simple([1, 2, 3]).ToArray();
        var random = new Random(1234);
        foreach (var original in new[] { classic, ng })
        {
            for (int cut = 0; cut < original.Length; cut++)
            {
                ReadToEnd(original.AsSpan(0, cut).ToArray());
            }
            for (int round = 0; round < 3000; round++)
            {
                var damaged = (byte[])original.Clone();
                for (int k = 0; k < 1 + random.Next(4); k++) damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
                ReadToEnd(damaged);
            }
        }
    }

    private static void ReadToEnd(byte[] file)
    {
        try
        {
            using var reader = new PcapReader(new MemoryStream(file));
            int records = 0;
            while (reader.TryReadNext(out var r))
            {
                Assert.True(r.CapturedLength <= file.Length);
                Assert.True(++records <= file.Length / 12, "more records than the file can hold");
            }
        }
        catch (PcapFormatException)
        {
        }
    }
}
