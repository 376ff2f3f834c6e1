using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Tests.Config;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Fuzz;

/// <summary>
/// Deterministic random-input smoke runs (issue 11 §1, the CI mode): damaged real frames through
/// the whole pipeline, damaged configurations through the parser, damaged pcap/pcapng files
/// through the reader. Each input must end in a result or the component's own error, never in
/// another exception; every frame is accounted for (forwarded or dropped under a reason).
/// </summary>
public sealed class SmokeFuzzTests
{
    private sealed class Sink : ITransmitter
    {
        public long Frames;

        public void Transmit(int physPort, ReadOnlySpan<byte> frame) => Frames++;

        public bool IsLinkUp(int physPort) => true;
    }

    private static List<byte[]> SeedFrames()
    {
        var frames = new List<byte[]>();
        foreach (var file in Directory.GetFiles(RepoFiles.Path("../shared/data/pcaps"), "*.pcap*"))
        {
            foreach (var r in PcapReader.ReadAll(file)) frames.Add(r.Data.ToArray());
        }
        // The seed's tagged ping too, so the INSIDE VLAN path is exercised.
        frames.Add(Support.TestBed.EchoRequest(1, 1));
        frames.Add(Support.TestBed.EchoReply(1, 1));
        return frames;
    }

    [Fact]
    public void A_million_damaged_frames_through_the_pipeline_are_all_accounted_for()
    {
        const int Rounds = 1_000_000;
        var seeds = SeedFrames();
        // Permit-all and untagged, so that damaged frames which still decode go deep (flows,
        // inspection, transmit) instead of stopping at the seed's access-list.
        var snap = RuntimeSnapshot.Build(BridgeConfig.Parse("""
            interface veth-in
             nameif INSIDE
             bridge-group 1
            interface veth-out
             nameif OUTSIDE
             bridge-group 1
            """));
        var sink = new Sink();
        var dp = new DataPath(snap, new MacTable(), sink, 0, 1, 4096);
        var mutator = new Mutator(20261128);
        var buffer = new byte[9216 + 64];
        long now = 1_700_000_000L * 1_000_000_000, dropped = 0, passed = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var seed = seeds[mutator.Random.Next(seeds.Count)];
            int len = mutator.Mutate(seed, buffer);
            now += 1_000;
            // One in a thousand traced, so the trace records see hostile input too.
            var trace = round % 1000 == 0 ? new TraceSink() : null;
            PacketOutcome outcome;
            try
            {
                outcome = dp.Process(buffer.AsSpan(0, len), mutator.Random.Next(2), now, trace);
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: {e.GetType().Name}: {e.Message}\nframe {Convert.ToHexString(buffer, 0, len)}");
                return;
            }
            if (outcome.Drop == DropReason.None) passed++;
            else dropped++;
            if (trace is not null) Assert.NotEmpty(TraceRenderer.Render(trace));
        }
        Assert.Equal(Rounds, passed + dropped);
        long counted = 0;
        for (int r = 1; r < (int)DropReason.Count; r++) counted += dp.FrameDrops[r] + dp.FlowDrops[r];
        Assert.Equal(dropped, counted);
        Assert.True(passed > Rounds / 100, $"only {passed} of {Rounds} damaged frames forwarded: the mutator breaks everything");
    }

    [Fact]
    public void Damaged_configurations_parse_or_fail_with_file_and_line()
    {
        const int Rounds = 100_000;
        string[] seeds = [File.ReadAllText(RepoFiles.Path("config/lab.conf")), File.ReadAllText(RepoFiles.Path("config/bridge.conf"))];
        var mutator = new Mutator(7);
        int parsed = 0, refused = 0;
        for (int round = 0; round < Rounds; round++)
        {
            string text = mutator.Mutate(seeds[round % seeds.Length]);
            try
            {
                var config = BridgeConfig.Parse(text, "fuzz.conf");
                // What parses must print and parse back to the same configuration.
                Assert.Equal(config.ToText(), BridgeConfig.Parse(config.ToText(), "fuzz.conf").ToText());
                parsed++;
            }
            catch (ConfigException e)
            {
                Assert.StartsWith("fuzz.conf:", e.Message);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: {e.GetType().Name}: {e.Message}\n--- input ---\n{text}");
            }
        }
        Assert.True(parsed > 0 && refused > 0, $"parsed {parsed}, refused {refused}");
    }

    [Fact]
    public void Damaged_pcap_files_read_or_fail_with_a_format_error()
    {
        const int Rounds = 20_000;
        var files = Directory.GetFiles(RepoFiles.Path("../shared/data/pcaps"), "*.pcap*")
            .Select(File.ReadAllBytes).Where(b => b.Length <= 64 * 1024).ToList();
        Assert.NotEmpty(files);
        var mutator = new Mutator(99);
        var buffer = new byte[64 * 1024 + 64];
        int clean = 0, refused = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var seed = files[round % files.Count];
            int len = mutator.Mutate(seed, buffer);
            try
            {
                using var reader = new PcapReader(new MemoryStream(buffer, 0, len, writable: false));
                int records = 0;
                while (reader.TryReadNext(out var record))
                {
                    Assert.True(record.Data.Length <= len);
                    if (++records > len) Assert.Fail($"round {round}: more records than bytes (a loop)");
                }
                clean++;
            }
            catch (PcapFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(clean > 0 && refused > 0, $"clean {clean}, refused {refused}");
    }
}
