using System.Diagnostics;
using Bridge.Daemon.Replay;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Tests;

/// <summary>
/// <c>bridged replay</c> end to end: pcap files in, the whole pipeline, pcap files out, read back
/// by tshark as the oracle.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Repo([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    private static readonly MacAddr MacA = new(0x000c_2998_3fecUL);
    private static readonly MacAddr MacB = new(0x6c41_6aa1_2bf6UL);
    private static readonly IpAddr IpA = IpAddr.Parse("192.168.103.1");
    private static readonly IpAddr IpB = IpAddr.Parse("192.168.101.1");
    private const long T0 = 1_500_000_000L * 1_000_000_000;

    private static string Tshark(string file, params string[] fields)
    {
        var psi = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-r", file, "-T", "fields" }) psi.ArgumentList.Add(a);
        foreach (var f in fields)
        {
            psi.ArgumentList.Add("-e");
            psi.ArgumentList.Add(f);
        }
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output.TrimEnd().ReplaceLineEndings("\n");
    }

    [Fact]
    public void Seed_ping_replay_tags_replies_1577_and_strips_requests()
    {
        string inside = Path.Combine(_dir, "in.pcap"), outside = Path.Combine(_dir, "out.pcap");
        using (var wi = PcapWriter.Create(inside))
        using (var wo = PcapWriter.Create(outside))
        {
            for (ushort seq = 0; seq < 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                wi.Write(t, FrameBuilder.Ethernet(MacA, MacB).Vlan(1577).Ipv4(IpA, IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
                wo.Write(t + 700_000, FrameBuilder.Ethernet(MacB, MacA).Ipv4(IpB, IpA).IcmpEcho(false, 5, seq, 32).Build());
            }
        }
        var cfg = BridgeConfig.Load(Path.Combine(Repo(), "config", "lab.conf"));
        var result = ReplayCommand.Replay(cfg, inside, outside, Path.Combine(_dir, "w"), traceCount: 1);

        Assert.Contains("Replayed 8 frames (8 forwarded, 0 dropped)", result.Summary);
        Assert.Contains("ICMP OUTSIDE 192.168.101.1:5 INSIDE 192.168.103.1:5", result.Summary);
        Assert.Contains("rule-id 268436482 event-log both (hitcnt=1)", result.Summary);

        // tshark reads what each side transmitted: requests untagged on OUTSIDE, replies tagged 1577 on INSIDE.
        Assert.Equal(string.Join("\n", Enumerable.Repeat("\t8\t5", 4)),
            Tshark(Path.Combine(_dir, "w", "outside-tx.pcap"), "vlan.id", "icmp.type", "icmp.ident"));
        Assert.Equal(string.Join("\n", Enumerable.Repeat("1577\t0\t5", 4)),
            Tshark(Path.Combine(_dir, "w", "inside-tx.pcap"), "vlan.id", "icmp.type", "icmp.ident"));
        Assert.StartsWith("Phase: 1", result.Traces[0].Split('\n')[1]);
    }

    [Fact]
    public void Real_http_capture_passes_the_bridge_intact()
    {
        // Split a real capture by side: the client's MAC is behind INSIDE, everything else OUTSIDE.
        string source = Path.Combine(Repo(), "..", "shared", "data", "pcaps", "http_post.pcapng");
        Assert.True(File.Exists(source), source);
        var records = PcapReader.ReadAll(source);
        var client = MacAddr.Read(records[0].Data.Span.Slice(6, 6));
        string inside = Path.Combine(_dir, "in.pcap"), outside = Path.Combine(_dir, "out.pcap");
        int fromClient = 0, fromServer = 0;
        using (var wi = PcapWriter.Create(inside, PcapResolution.Nanoseconds))
        using (var wo = PcapWriter.Create(outside, PcapResolution.Nanoseconds))
        {
            foreach (var r in records)
            {
                bool isClient = MacAddr.Read(r.Data.Span.Slice(6, 6)) == client;
                (isClient ? wi : wo).Write(r.TimestampNanoseconds, r.Data.Span);
                if (isClient) fromClient++;
                else fromServer++;
            }
        }
        var cfg = BridgeConfig.Parse("""
            interface eth1
             nameif INSIDE
             bridge-group 1
            interface eth2
             nameif OUTSIDE
             bridge-group 1
            """);
        var result = ReplayCommand.Replay(cfg, inside, outside, Path.Combine(_dir, "w"));
        Assert.Contains($"Replayed {records.Count} frames ({records.Count} forwarded, 0 dropped)", result.Summary);
        // Every frame left on the other side unchanged, byte for byte (tshark's view of the payload).
        Assert.Equal(Tshark(inside, "frame.len", "tcp.seq_raw", "tcp.len"), Tshark(Path.Combine(_dir, "w", "outside-tx.pcap"), "frame.len", "tcp.seq_raw", "tcp.len"));
        Assert.Equal(Tshark(outside, "frame.len", "tcp.seq_raw", "tcp.len"), Tshark(Path.Combine(_dir, "w", "inside-tx.pcap"), "frame.len", "tcp.seq_raw", "tcp.len"));
        Assert.True(fromClient > 0 && fromServer > 0);
    }

    [Fact]
    public void Bad_config_names_file_line_and_reason_and_exits_1()
    {
        string conf = Path.Combine(_dir, "bad.conf");
        File.WriteAllText(conf, "interface eth1\n nameif INSIDE\naccess-list X extended permit tcp any host 10.0.0.300 eq www\n");
        var err = new StringWriter();
        int rc = ReplayCommand.Run(["--config", conf, "--inside", conf, "--write-dir", _dir], new StringWriter(), err);
        Assert.Equal(1, rc);
        Assert.StartsWith($"{conf}:3:", err.ToString());
    }
}
