using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Runtime;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Tests.Capture;

/// <summary>
/// The daemon's side of captures across a restart: the runtime directory setting, and
/// <see cref="CaptureStore.Restore"/> over two runtimes (the run before and the run after) sharing
/// one ring directory, driven through the capture commands.
/// </summary>
public sealed class CaptureRestoreTests : IDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-capture-restore-").FullName;
    private readonly AdminSession _admin = new("root", AdminRole.Admin);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Rings => Path.Combine(_dir, "run", "captures");

    private (PcapRuntime Runtime, CommandDispatcher Dispatcher, RecordingLogger Log) Start()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        if (!File.Exists(conf)) File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        var runtime = new PcapRuntime(conf);
        var log = new RecordingLogger();
        CaptureStore.Restore(runtime, Rings, log);
        return (runtime, new CommandDispatcher(CommandCatalogue.BuildTree(), runtime, new ControlPlaneState()), log);
    }

    private async Task<string> Ok(CommandDispatcher dispatcher, string line)
    {
        var r = await dispatcher.ExecuteAsync(line, _admin, json: false, stream: null, CancellationToken.None);
        Assert.True(r.Status == 0, $"'{line}' failed: {r.Text}");
        return r.Text;
    }

    private void Ping(PcapRuntime runtime, ushort firstSeq)
    {
        string ping = Path.Combine(_dir, $"ping-{firstSeq}.pcap");
        using (var w = PcapWriter.Create(ping))
        {
            for (ushort seq = firstSeq; seq < firstSeq + 4; seq++)
            {
                long t = T0 + seq * 1_000_000_000L;
                w.Write(t, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB, ttl: 128).IcmpEcho(true, 5, seq, 32).Build());
                w.Write(t + 700_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).IcmpEcho(false, 5, seq, 32).Build());
            }
        }
        runtime.Feed(ping, firstSeq % 2, r => r.Data.Span[12] == 0x81 ? 0 : 1);
    }

    [Fact]
    public async Task Captures_defined_by_command_are_back_after_a_restart_and_logged()
    {
        var (before, commands, _) = Start();
        await Ok(commands, "capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1");
        await Ok(commands, "capture CAPO interface OUTSIDE buffer 100000");
        Ping(before, 0);
        string list = await Ok(commands, "show capture");
        string capi = await Ok(commands, "show capture CAPI");

        var (after, again, log) = Start();
        Assert.Equal(list, await Ok(again, "show capture"));
        Assert.Equal(capi, await Ok(again, "show capture CAPI"));
        Assert.Contains($"capture CAPI restored from {Rings}: 8 packets, 624 bytes", log.Lines);
        Ping(after, 1);
        Assert.StartsWith("16 packets captured\n", await Ok(again, "show capture CAPI"));
        await Ok(again, "no capture CAPO");
        Assert.Equal(["CAPI.def", "CAPI.w0.ring", "CAPI.w1.ring"], Directory.GetFiles(Rings).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void An_unusable_runtime_directory_leaves_captures_in_memory_with_a_warning()
    {
        string conf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), conf);
        File.WriteAllText(Path.Combine(_dir, "file"), "");
        var runtime = new PcapRuntime(conf);
        var log = new RecordingLogger();
        CaptureStore.Restore(runtime, Path.Combine(_dir, "file", "captures"), log);
        Assert.Contains(log.Lines, l => l.StartsWith("captures are kept in memory only", StringComparison.Ordinal));
        Assert.Null(CaptureStore.For(runtime).Rings);
    }

    [Fact]
    public void Runtime_directory_comes_from_the_setting_else_systemd_else_run_bridge()
    {
        var set = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Bridge:RuntimeDirectory"] = "/tmp/x/rt" }).Build();
        Assert.Equal("/tmp/x/rt/captures", HostPaths.From(set).CaptureRingDirectory);
        var none = new ConfigurationBuilder().Build();
        string expected = Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } env ? env.Split(':')[0] : HostPaths.DefaultRuntimeDirectory;
        Assert.Equal(expected, HostPaths.From(none).RuntimeDirectory);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
