using System.Text;
using Bridge.Capture;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Runtime;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;

namespace Bridge.Daemon.Tests.Export;

/// <summary>What one <c>copy</c> run showed: the prompts asked, the streamed output, and the result.</summary>
internal sealed record CopyTranscript(CommandResult Result, List<(string Prompt, bool Secret)> Prompts, string Streamed)
{
    /// <summary>Everything the caller saw, in order of kind: prompts, streamed text, final text.</summary>
    public string Everything => string.Join("\n", Prompts.Select(p => p.Prompt)) + "\n" + Streamed + "\n" + Result.Text;

    public override string ToString() => Everything;
}

/// <summary>
/// A pcap-fed runtime with the daemon's grammar, its state directory in a temporary folder, and
/// captures filled from built frames; runs <c>copy</c> lines with scripted answers to the dialog.
/// </summary>
internal sealed class CopyBench : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);

    public CopyBench()
    {
        Dir = Directory.CreateTempSubdirectory("bridge-copy-").FullName;
        string conf = Path.Combine(Dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        Runtime = new PcapRuntime(conf);
        Paths = new HostPaths(Path.Combine(Dir, "state"), Path.Combine(Dir, "state", "captures"));
        Dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), Runtime, new ControlPlaneState { Paths = Paths });
    }

    public string Dir { get; }

    public PcapRuntime Runtime { get; }

    public HostPaths Paths { get; }

    public CommandDispatcher Dispatcher { get; }

    /// <summary>Capture CAPI on INSIDE holding the seed ping's 8 packets (4 echo requests, 4 replies).</summary>
    public async Task PingCaptureAsync(string name = "CAPI")
    {
        await OkAsync($"capture {name} interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1");
        string ping = Path.Combine(Dir, "ping.pcap");
        using (var w = PcapWriter.Create(ping))
        {
            for (ushort seq = 0; seq < 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                w.Write(t, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
                w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).IcmpEcho(false, 5, seq, 32).Build());
            }
        }
        Runtime.Feed(ping, 0, r => r.Data.Span[12] == 0x81 ? 0 : 1);
    }

    /// <summary>
    /// Capture BIG filled to its 32 MiB buffer with 1400-byte UDP datagrams: its pcap is larger
    /// than 65535 blocks of 512 bytes, so a TFTP copy at 512 wraps the block number.
    /// </summary>
    public async Task FullCaptureAsync(string name = "BIG")
    {
        await OkAsync($"capture {name} interface INSIDE buffer {CaptureDefinition.MaxBuffer} match udp host 192.168.103.1 host 192.168.101.1");
        string file = Path.Combine(Dir, "udp.pcap");
        byte[] payload = new byte[1400];
        using (var w = PcapWriter.Create(file))
        {
            int frames = CaptureDefinition.MaxBuffer / 1400 + 100;
            for (int i = 0; i < frames; i++)
            {
                payload[0] = (byte)i;
                payload[1] = (byte)(i >> 8);
                w.Write(T0 + i * 1000L, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB).Udp(40000, 9, payload).Build());
            }
        }
        Runtime.Feed(file, 0, _ => 0);
    }

    /// <summary>The capture as <see cref="CapturePcap"/> writes it.</summary>
    public async Task<byte[]> PcapOfAsync(string name)
    {
        var contents = await Contents(name);
        using var ms = new MemoryStream();
        CapturePcap.Write(contents, ms);
        return ms.ToArray();
    }

    /// <summary>The capture's <c>show capture NAME</c> text.</summary>
    public async Task<string> TextOfAsync(string name) => CaptureListing.Packets(await Contents(name), new ShowCaptureOptions());

    public async Task<int> PacketCountAsync(string name) => (await Contents(name)).Packets.Count;

    private async Task<CaptureContents> Contents(string name)
    {
        var registry = CaptureStore.For(Runtime);
        var contents = await registry.ReadAsync(name, action => Runtime.RunOnWorkers(dp => action(dp.WorkerIndex)));
        return contents ?? throw new InvalidOperationException($"no capture {name}");
    }

    public async Task<string> OkAsync(string line)
    {
        var r = await Dispatcher.ExecuteAsync(line, _admin, json: false, stream: null, CancellationToken.None);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r.Text;
    }

    /// <summary>Runs <paramref name="line"/> as an interactive caller giving <paramref name="answers"/> in turn ("" after the last).</summary>
    public Task<CopyTranscript> RunAsync(string line, params string[] answers) => RunAsync(line, interactive: true, answers);

    public async Task<CopyTranscript> RunAsync(string line, bool interactive, params string[] answers)
    {
        var prompts = new List<(string, bool)>();
        var streamed = new StringBuilder();
        int next = 0;
        Func<string, bool, Task<string>>? ask = interactive
            ? (prompt, secret) =>
            {
                prompts.Add((prompt, secret));
                return Task.FromResult(next < answers.Length ? answers[next++] : "");
            }
            : null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var result = await Dispatcher.ExecuteAsync(line, _admin, json: false, text =>
        {
            lock (streamed) streamed.Append(text);
            return Task.CompletedTask;
        }, ask, timeout.Token);
        return new CopyTranscript(result, prompts, streamed.ToString());
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
