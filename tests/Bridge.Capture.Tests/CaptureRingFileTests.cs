using System.Runtime.InteropServices;
using Bridge.Packets;
using Bridge.Pipeline.Trace;

namespace Bridge.Capture.Tests;

/// <summary>
/// The ring file format: what a restarted daemon finds in <c>RUNTIME/captures</c> and what it must
/// refuse. Files are written by one slot and re-opened by another, as across a restart; damage is
/// done to the bytes on disk, as a crash or a foreign program would.
/// </summary>
public sealed class CaptureRingFileTests : IDisposable
{
    private const int Buffer = 4000;
    private const ulong Hash = 0x1234_5678_9abc_def0UL;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bridge-ring-" + Guid.NewGuid().ToString("N"));

    public CaptureRingFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Ring(string name = "CAPI", int worker = 0) => Path.Combine(_dir, $"{name}.w{worker}.ring");

    private static byte[] Frame(byte marker, int length = 100)
    {
        var f = new byte[length];
        f[0] = marker;
        f[^1] = marker;
        return f;
    }

    private static List<CapturedPacket> Packets(CaptureSlot slot)
    {
        var list = new List<CapturedPacket>();
        slot.CopyTo(list, 0);
        return list;
    }

    private static void Write(CaptureSlot slot, byte marker, int length = 100, TraceSink? trace = null, bool overwrite = true) =>
        Assert.True(slot.TryWrite(Frame(marker, length), length + 4, 1_000 + marker, CaptureDirection.Egress, DropReason.None, DropSection.Frame, trace, overwrite));

    private CaptureSlot Reopen(string path, ulong hash = Hash, int buffer = Buffer, int worker = 0, int workers = 1)
    {
        var slot = CaptureSlot.Open(path, buffer, worker, workers, hash, out string? problem);
        Assert.True(slot is not null, problem);
        return slot;
    }

    private static string? Problem(string path, ulong hash = Hash, int buffer = Buffer, int worker = 0, int workers = 1)
    {
        var slot = CaptureSlot.Open(path, buffer, worker, workers, hash, out string? problem);
        Assert.Equal(slot is null, problem is not null);
        return problem;
    }

    /// <summary>Patches bytes of a ring file as a crash or another program would leave them.</summary>
    private static void Patch(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        fs.Position = offset;
        fs.Write(bytes);
    }

    private static long RecordOffset(int index) => CaptureRingFile.HeaderBytes + (long)index * CaptureRingFile.RecordSize;

    [Fact]
    public void Round_trip_keeps_every_field_of_every_record_and_the_numbering()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        Assert.True(slot.TryWrite(Frame(2, 60), 1514, 2_000, CaptureDirection.Drop, DropReason.AclDrop, DropSection.Flow, null, overwrite: true));
        Write(slot, 3, 200, new TraceSink());
        var before = Packets(slot);

        var again = Reopen(Ring());
        var after = Packets(again);
        Assert.Equal(3, again.Count);
        Assert.Equal(360, again.StoredBytes);
        Assert.Equal(3, again.NextSequence);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(before[i].Frame, after[i].Frame);
            Assert.Equal(before[i] with { Frame = after[i].Frame, Trace = null, TraceLost = after[i].TraceLost }, after[i]);
        }
        Assert.Equal((DropReason.AclDrop, DropSection.Flow, CaptureDirection.Drop, 1514), (after[1].Drop, after[1].Section, after[1].Direction, after[1].OriginalLength));
        // The trace object stayed in the old process; the record remembers that there was one.
        Assert.False(after[0].TraceLost);
        Assert.True(after[2].TraceLost);
        Assert.Null(after[2].Trace);

        // Appending goes on after the restored records with the next number.
        Write(again, 4);
        Assert.Equal([0L, 1, 2, 3], Packets(again).Select(p => p.Sequence));
        Assert.Equal([0L, 1, 2, 3], Packets(Reopen(Ring())).Select(p => p.Sequence));
    }

    [Fact]
    public void A_wrapped_circular_ring_round_trips_its_newest_records()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        for (byte i = 0; i < 100; i++) Write(slot, i, 150 + i % 7);
        var expected = Packets(slot).Select(p => p.Frame[0]).ToArray();
        Assert.True(expected.Length is > 10 and < 100);
        Assert.Equal(expected, Packets(Reopen(Ring())).Select(p => p.Frame[0]));
        Assert.Equal(slot.StoredBytes, Reopen(Ring()).StoredBytes);
    }

    [Fact]
    public void A_record_written_but_not_committed_is_lost_and_nothing_else()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        Write(slot, 2);
        // A kill after the bytes and the record header of a third frame, before the window store:
        // the file holds them, the header does not count them.
        var bytes = File.ReadAllBytes(Ring());
        long data = CaptureRingFile.DataOffset(CaptureRingFile.RecordsFor(Buffer));
        Patch(Ring(), data + 200, Frame(3));
        var record = new byte[CaptureRingFile.RecordSize];
        BitConverter.TryWriteBytes(record.AsSpan(0), 1_003L);
        BitConverter.TryWriteBytes(record.AsSpan(8), 2L);
        BitConverter.TryWriteBytes(record.AsSpan(16), 200);
        BitConverter.TryWriteBytes(record.AsSpan(20), 100);
        BitConverter.TryWriteBytes(record.AsSpan(24), 100);
        Patch(Ring(), RecordOffset(2), record);

        var again = Reopen(Ring());
        Assert.Equal([1, 2], Packets(again).Select(p => (int)p.Frame[0]));
        Assert.Equal(bytes.Length, new FileInfo(Ring()).Length);
        // The next frame takes the torn one's place.
        Write(again, 4);
        Assert.Equal([1, 2, 4], Packets(Reopen(Ring())).Select(p => (int)p.Frame[0]));
    }

    [Fact]
    public void Evicting_rings_restore_whole_frames_in_sequence()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        for (int i = 0; i < 97; i++)
        {
            Write(slot, (byte)i, 100 + i % 3 * 50);
            var seen = Packets(Reopen(Ring()));
            Assert.All(seen, p => Assert.Equal(p.Frame[0], p.Frame[^1]));
            Assert.Equal(i, seen[^1].Frame[0]);
            for (int k = 1; k < seen.Count; k++) Assert.Equal(seen[k - 1].Sequence + 1, seen[k].Sequence);
        }
    }

    [Fact]
    public void A_window_that_points_at_garbage_discards_the_file()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        // Window claims three records; only one was ever written.
        Patch(Ring(), 48, BitConverter.GetBytes(3UL));
        Assert.NotNull(Problem(Ring()));

        var other = CaptureSlot.Create(Ring("B"), Buffer, 0, 1, Hash);
        Write(other, 1);
        Write(other, 2);
        // A record whose bytes run past the end of the data ring.
        Patch(Ring("B"), RecordOffset(1) + 16, BitConverter.GetBytes(Buffer - 10));
        Assert.Contains("outside the data ring", Problem(Ring("B")));
    }

    [Theory]
    [InlineData(0, "bad magic")]
    [InlineData(8, "format version")]
    [InlineData(16, "another definition")]
    [InlineData(24, "geometry")]
    [InlineData(36, "worker")]
    [InlineData(44, "flags")]
    public void A_corrupt_header_field_discards_the_file(int offset, string expected)
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        Patch(Ring(), offset, [0x7f]);
        Assert.Contains(expected, Problem(Ring()));
    }

    [Fact]
    public void Size_geometry_worker_and_definition_mismatches_are_refused()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 2, Hash);
        Write(slot, 1);
        Assert.Contains("size", Problem(Ring(), buffer: Buffer + 1, workers: 2));
        Assert.Contains("worker 0 of 2", Problem(Ring(), workers: 1));
        Assert.Contains("worker 0 of 2", Problem(Ring(), worker: 1, workers: 2));
        Assert.Contains("another definition", Problem(Ring(), hash: Hash + 1, workers: 2));
        using (var fs = new FileStream(Ring(), FileMode.Open)) fs.SetLength(fs.Length - 1);
        Assert.Contains("size", Problem(Ring(), workers: 2));
        Assert.NotNull(Problem(Path.Combine(_dir, "missing.w0.ring")));
    }

    [Fact]
    public void A_file_of_another_version_is_discarded()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        Patch(Ring(), 8, BitConverter.GetBytes(CaptureRingFile.Version + 1));
        Assert.Equal($"format version {CaptureRingFile.Version + 1}, expected {CaptureRingFile.Version}", Problem(Ring()));
    }

    [Fact]
    public void Random_damage_is_refused_or_yields_records_inside_the_file_never_an_exception()
    {
        var rng = new Random(7);
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        for (byte i = 0; i < 60; i++) Write(slot, i, 40 + i);
        var good = File.ReadAllBytes(Ring());
        for (int round = 0; round < 300; round++)
        {
            var bytes = (byte[])good.Clone();
            // Damage the header and record area only: frame bytes are opaque payload.
            int at = rng.Next(0, (int)CaptureRingFile.DataOffset(CaptureRingFile.RecordsFor(Buffer)));
            bytes[at] ^= (byte)rng.Next(1, 256);
            File.WriteAllBytes(Ring("D"), bytes);
            var opened = CaptureSlot.Open(Ring("D"), Buffer, 0, 1, Hash, out _);
            if (opened is null) continue;
            var packets = Packets(opened);
            Assert.All(packets, p => Assert.InRange(p.Frame.Length, 1, Buffer));
            Assert.Equal(opened.StoredBytes, packets.Sum(p => (long)p.Frame.Length));
        }
    }

    [Fact]
    public void Clear_empties_the_file_and_numbering_continues()
    {
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        Write(slot, 2);
        slot.Clear();
        Assert.Empty(Packets(Reopen(Ring())));
        Write(slot, 3);
        var again = Reopen(Ring());
        Assert.Equal([2L], Packets(again).Select(p => p.Sequence));
    }

    [Fact]
    public void Header_layout_is_the_documented_one()
    {
        Assert.Equal(64, Marshal.SizeOf<RingHeader>());
        Assert.Equal(CaptureRingFile.RecordSize, Marshal.SizeOf<RingRecord>());
        Assert.Equal(48, (int)Marshal.OffsetOf<RingHeader>(nameof(RingHeader.Window)));
        var slot = CaptureSlot.Create(Ring(), Buffer, 0, 1, Hash);
        Write(slot, 1);
        var head = File.ReadAllBytes(Ring()).AsSpan(0, 8);
        Assert.Equal("BRCAPRNG"u8.ToArray(), head.ToArray());
    }
}
