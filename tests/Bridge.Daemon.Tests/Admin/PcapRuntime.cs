using Bridge.Daemon.Commands.Clear;
using Bridge.Daemon.Runtime;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>
/// A real runtime for admin tests, standing in for the hosted data plane: real <see cref="DataPath"/>
/// workers sharing one MAC table, fed frames from pcap files (the seed ping on worker 0, the real
/// HTTP capture on worker 1), with Apply/Reload swapping snapshots as the data plane does. Frames
/// are processed synchronously by <see cref="Feed"/>, so no worker thread runs while commands read.
/// </summary>
public sealed class PcapRuntime : IBridgeRuntime
{
    private readonly DataPath[] _workers;
    private RuntimeSnapshot _snapshot;
    private long _now;

    public PcapRuntime(string configPath, int workers = 2)
    {
        ConfigPath = configPath;
        _snapshot = RuntimeSnapshot.Build(BridgeConfig.Load(configPath));
        var macs = new MacTable();
        _workers = new DataPath[workers];
        for (int i = 0; i < workers; i++) _workers[i] = new DataPath(_snapshot, macs, new CountingTransmitter(), i, workers);
        StartedAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(61);
    }

    public RuntimeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public IReadOnlyList<DataPath> Workers => _workers;

    public long NowNs() => _now;

    public DateTimeOffset StartedAt { get; }

    public string ConfigPath { get; }

    public IReadOnlyList<PortStatus> Ports
    {
        get
        {
            var ports = new List<PortStatus>();
            for (int p = 0; p < Snapshot.Devices.Count; p++)
            {
                long tx = 0;
                foreach (var w in _workers) tx += ((CountingTransmitter)w.Transmitter!).Sent[p];
                ports.Add(new PortStatus(Snapshot.Devices[p], "pcap-file", true, 1500, $"0050.5600.000{p + 1}", _workers.Length, "replay", Received[p], 0, 0, tx, 0));
            }
            return ports;
        }
    }

    /// <summary>Frames received per physical port.</summary>
    public long[] Received { get; } = new long[8];

    public List<BridgeConfig> Applied { get; } = [];

    public ReloadResult Reload()
    {
        try
        {
            return Apply(BridgeConfig.Load(ConfigPath));
        }
        catch (ConfigException e)
        {
            return new ReloadResult(false, e.Message);
        }
    }

    public ReloadResult Apply(BridgeConfig config)
    {
        var snap = RuntimeSnapshot.Build(config);
        if (!snap.Devices.SequenceEqual(Snapshot.Devices)) return new ReloadResult(false, "the interfaces changed; restart bridged to apply");
        foreach (var w in _workers) w.Swap(snap);
        Volatile.Write(ref _snapshot, snap);
        Applied.Add(config);
        return new ReloadResult(true, "applied");
    }

    /// <summary>Runs every frame of <paramref name="pcap"/> through worker <paramref name="worker"/>, arriving on <paramref name="portOf"/>(frame).</summary>
    public void Feed(string pcap, int worker, Func<PcapRecord, int> portOf)
    {
        foreach (var r in PcapReader.ReadAll(pcap))
        {
            int port = portOf(r);
            byte[] frame = r.Data.ToArray();
            _now = Math.Max(_now, r.TimestampNanoseconds);
            Received[port]++;
            _workers[worker].Process(frame, port, r.TimestampNanoseconds);
        }
    }

    public void AdvanceClock(long ns) => _now += ns;

    public Task RunOnWorkers(Action<DataPath> action, CancellationToken cancellationToken = default)
    {
        // Feed runs on the caller's thread, so no worker processes while this runs.
        foreach (var w in _workers)
            action(w);
        return Task.CompletedTask;
    }

    private sealed class CountingTransmitter : ITransmitter
    {
        public long[] Sent { get; } = new long[8];

        public void Transmit(int physPort, ReadOnlySpan<byte> frame) => Sent[physPort]++;

        public bool IsLinkUp(int physPort) => true;
    }
}
