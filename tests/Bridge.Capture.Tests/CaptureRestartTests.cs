using Bridge.Packets;

namespace Bridge.Capture.Tests;

/// <summary>
/// Captures across a daemon restart at the registry level: a bed with a ring directory is one
/// daemon run; a second bed over the same directory is the run after a kill.
/// </summary>
public sealed class CaptureRestartTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bridge-restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static string Show(CaptureBed bed, string name) =>
        CaptureListing.ListEntry(bed.Read(name)) + CaptureListing.Packets(bed.Read(name), new ShowCaptureOptions());

    [Fact]
    public void Captures_survive_with_their_packets_definitions_and_order()
    {
        var first = new CaptureBed(ringDirectory: _dir);
        Assert.Empty(first.AttachReport);
        first.Capture("CAPO interface OUTSIDE match icmp any any");
        first.Capture("CAPI interface INSIDE trace trace-count 3 packet-length 80 match icmp host 192.168.103.1 host 192.168.101.1");
        first.Capture("CAPI match udp any any eq domain");
        first.Capture("DROPS type asp-drop all buffer 100000 circular-buffer");
        first.Capture("STOPPED interface INSIDE");
        first.Capture("STOPPED stop");
        first.Capture("x/../y interface INSIDE");
        for (ushort seq = 0; seq < 4; seq++) first.Ping(seq, worker: seq % 2);
        first.Send(FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Vlan(1577).Raw(0x8137, new byte[46]).Build(), 0);
        var before = first.Registry.Definitions.Select(d => Show(first, d.Name)).ToList();
        Assert.Equal(8, first.Read("CAPI").Packets.Count);
        Assert.Single(first.Read("DROPS").Packets);

        var second = new CaptureBed(ringDirectory: _dir);
        Assert.Equal(["CAPO", "CAPI", "DROPS", "STOPPED", "x/../y"], second.Registry.Definitions.Select(d => d.Name));
        Assert.Equal(before, second.Registry.Definitions.Select(d => Show(second, d.Name)));
        Assert.Contains("capture CAPI restored from " + _dir + ": 8 packets, 624 bytes", second.AttachReport);
        Assert.True(second.Registry.Find("STOPPED")!.Stopped);

        // New packets append after the restored ones; the three traces were spent before the restart.
        second.Ping(9);
        var capi = second.Read("CAPI");
        Assert.Equal(10, capi.Packets.Count);
        Assert.All(capi.Packets, p => Assert.Null(p.Trace));
        Assert.Equal(3, capi.Packets.Count(p => p.TraceLost));
        string traced = CaptureListing.Packets(capi, new ShowCaptureOptions { Trace = true });
        Assert.Equal(3, traced.Split('\n').Count(l => l == CaptureListing.TraceLostLine));
    }

    [Fact]
    public void No_capture_deletes_the_files_and_clear_capture_empties_them()
    {
        var first = new CaptureBed(ringDirectory: _dir);
        first.Capture("A interface INSIDE");
        first.Capture("B interface INSIDE");
        first.Ping(1);
        Assert.Equal(6, Directory.GetFiles(_dir).Length);
        first.NoCapture("A");
        Assert.Equal(["B.def", "B.w0.ring", "B.w1.ring"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
        first.Clear("B");
        first.Ping(2);

        var second = new CaptureBed(ringDirectory: _dir);
        Assert.Equal(["B"], second.Registry.Definitions.Select(d => d.Name));
        Assert.Equal(2, second.Read("B").Packets.Count);
        Assert.Null(second.Registry.Find("A"));
    }

    [Fact]
    public void A_full_capture_is_still_full_after_the_restart()
    {
        var first = new CaptureBed(ringDirectory: _dir);
        first.Capture("F interface INSIDE buffer 1534");
        for (ushort seq = 0; seq < 30; seq++) first.Ping(seq);
        var full = first.Read("F");
        Assert.True(full.Full);

        var second = new CaptureBed(ringDirectory: _dir);
        var again = second.Read("F");
        Assert.True(again.Full);
        Assert.Equal(full.Bytes, again.Bytes);
        second.Ping(99);
        Assert.Equal(full.Packets.Count, second.Read("F").Packets.Count);
    }

    [Fact]
    public void A_redefinition_that_keeps_the_geometry_keeps_the_packets_across_the_restart()
    {
        var first = new CaptureBed(ringDirectory: _dir);
        first.Capture("A interface INSIDE");
        first.Ping(1);
        first.Capture("A match icmp any any");
        first.Ping(2);
        var second = new CaptureBed(ringDirectory: _dir);
        Assert.Equal(4, second.Read("A").Packets.Count);
        Assert.Single(second.Registry.Find("A")!.Matches);
        // A new buffer size starts the rings over, in new files.
        second.Capture("A buffer 100000");
        Assert.Empty(second.Read("A").Packets);
        Assert.Empty(new CaptureBed(ringDirectory: _dir).Read("A").Packets);
    }

    [Fact]
    public void Damaged_foreign_or_mismatched_files_are_discarded_with_a_reason_and_deleted()
    {
        var first = new CaptureBed(ringDirectory: _dir);
        first.Capture("GOOD interface INSIDE");
        first.Capture("BADRING interface INSIDE");
        first.Capture("BADDEF interface INSIDE");
        first.Capture("GONE interface INSIDE");
        first.Ping(1);
        File.WriteAllBytes(Path.Combine(_dir, "BADRING.w1.ring"), new byte[10]);
        File.WriteAllText(Path.Combine(_dir, "BADDEF.def"), "capture BADDEF interface INSIDE\n");
        File.WriteAllBytes(Path.Combine(_dir, "STRAY.w0.ring"), new byte[4096]);
        // A definition whose interface is not in the configuration any more.
        File.WriteAllText(Path.Combine(_dir, "GONE.def"), File.ReadAllText(Path.Combine(_dir, "GONE.def")).Replace("INSIDE", "DMZ"));

        var second = new CaptureBed(ringDirectory: _dir);
        Assert.Equal(["GOOD"], second.Registry.Definitions.Select(d => d.Name));
        Assert.Equal(2, second.Read("GOOD").Packets.Count);
        var report = string.Join("\n", second.AttachReport);
        Assert.Contains("capture BADRING discarded: BADRING.w1.ring: size 10 bytes", report);
        Assert.Contains("BADDEF.def discarded: not a capture definition file", report);
        Assert.Contains("GONE.def discarded", report);
        Assert.Contains("STRAY.w0.ring discarded: no definition file", report);
        Assert.Equal(["GOOD.def", "GOOD.w0.ring", "GOOD.w1.ring"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_different_worker_count_discards_the_rings()
    {
        var first = new CaptureBed(ringDirectory: _dir);
        first.Capture("A interface INSIDE");
        first.Ping(1);
        var second = new CaptureBed(workers: 1, ringDirectory: _dir);
        Assert.Empty(second.Registry.Definitions);
        Assert.Contains("capture A discarded: A.w0.ring: written by worker 0 of 2, expected 0 of 1", second.AttachReport);
        // The files of the old worker count are gone too.
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Definition_text_reads_back_to_the_same_definition()
    {
        var bed = new CaptureBed();
        string[] lines =
        [
            "A interface INSIDE buffer 1600 packet-length 100 ethernet-type arp circular-buffer headers-only real-time dump detail",
            "B type asp-drop acl-drop interface OUTSIDE",
            "C type alert sid 1000001 access-list WEB trace detail trace-count 7",
            "D interface INSIDE match tcp host 192.168.103.1 eq 80 any gt 1024",
            "D match ip 10.0.0.0 255.0.0.0 any",
            "D stop",
        ];
        foreach (var l in lines) bed.Capture(l);
        foreach (var def in bed.Registry.Definitions)
        {
            string text = CaptureRingDirectory.DefinitionText(def, 5);
            var (back, order) = CaptureRingDirectory.ParseDefinition(text, new NamesOf(bed));
            Assert.Equal(5, order);
            Assert.Equal(text, CaptureRingDirectory.DefinitionText(back, 5));
            Assert.Equal(def with { Matches = back.Matches }, back);
            Assert.Equal(def.Matches, back.Matches);
        }
    }

    private sealed class NamesOf(CaptureBed bed) : ICaptureNames
    {
        public bool InterfaceExists(string nameIf) => bed.Snapshot.FindNameIf(nameIf) >= 0;

        public bool AccessListExists(string name) => bed.Snapshot.Config.FindAccessList(name) is not null;
    }
}
