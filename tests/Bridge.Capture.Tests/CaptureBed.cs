using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;

namespace Bridge.Capture.Tests;

/// <summary>
/// Two real data paths (workers 0 and 1) over the seed topology: INSIDE is VLAN 1577 on port 0,
/// OUTSIDE untagged on port 1, one bridge group. Captures are defined through the same syntax
/// reader and registry the daemon uses, and frames are pushed through <see cref="DataPath.Process"/>.
/// </summary>
internal sealed class CaptureBed
{
    public static readonly MacAddr MacA = new(0x000c_2998_3fecUL);
    public static readonly MacAddr MacB = new(0x6c41_6aa1_2bf6UL);
    public static readonly IpAddr IpA = IpAddr.Parse("192.168.103.1");
    public static readonly IpAddr IpB = IpAddr.Parse("192.168.101.1");
    public const long T0 = 1_700_000_000L * 1_000_000_000;

    public const string OpenConfig = """
        interface veth-in.1577
         vlan 1577
         nameif INSIDE
         bridge-group 1
        interface veth-out
         nameif OUTSIDE
         bridge-group 1
        access-list WEB extended permit tcp any any eq www
        """;

    public CaptureBed(string config = OpenConfig, int workers = 2, string? ringDirectory = null)
    {
        Snapshot = RuntimeSnapshot.Build(BridgeConfig.Parse(config));
        var macs = new MacTable();
        Paths = new DataPath[workers];
        for (int i = 0; i < workers; i++) Paths[i] = new DataPath(Snapshot, macs, new NullTransmitter(), i, workers);
        Registry = new CaptureRegistry(workers);
        if (ringDirectory is not null) AttachReport = Registry.Attach(new CaptureRingDirectory(ringDirectory), new Names(Snapshot), Paths);
    }

    /// <summary>What <see cref="CaptureRegistry.Attach"/> reported when the bed was given a ring directory (a "restart").</summary>
    public IReadOnlyList<string> AttachReport { get; } = [];

    public RuntimeSnapshot Snapshot { get; }
    public DataPath[] Paths { get; }
    public CaptureRegistry Registry { get; }
    public long Now { get; set; } = T0;

    public void Capture(string line)
    {
        var tokens = CaptureSyntax.Tokenize(line, 0);
        string name = tokens[0].Text;
        var def = CaptureSyntax.Apply(Registry.Find(name), name, tokens.Skip(1).ToList(), new Names(Snapshot));
        Registry.Define(def, Paths);
    }

    public void NoCapture(string line)
    {
        var tokens = CaptureSyntax.Tokenize(line, 0);
        string name = tokens[0].Text;
        // "no capture NAME" alone removes the capture, as the daemon's command does.
        var left = tokens.Count == 1 ? null : CaptureSyntax.Remove(Registry.Find(name)!, tokens.Skip(1).ToList());
        if (left is null) Registry.Remove(name, Paths);
        else Registry.Define(left, Paths);
    }

    /// <summary>Sends a frame in on <paramref name="port"/> through worker <paramref name="worker"/>, 1 ms after the previous one.</summary>
    public PacketOutcome Send(byte[] frame, int port, int worker = 0)
    {
        Now += 1_000_000;
        return Paths[worker].Process(frame, port, Now);
    }

    public void Ping(ushort seq, int payload = 32, int worker = 0)
    {
        Send(FrameBuilder.Ethernet(MacA, MacB).Vlan(1577).Ipv4(IpA, IpB, ttl: 128).IcmpEcho(true, 5, seq, payload).Build(), 0, worker);
        Send(FrameBuilder.Ethernet(MacB, MacA).Ipv4(IpB, IpA).IcmpEcho(false, 5, seq, payload).Build(), 1, worker);
    }

    /// <summary>Reads a capture as the daemon does; the test thread stands in for every worker (none runs concurrently).</summary>
    public CaptureContents Read(string name) =>
        Registry.ReadAsync(name, action =>
        {
            for (int i = 0; i < Paths.Length; i++) action(i);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult()!;

    public void Clear(string name) =>
        Registry.ClearAsync(name, action =>
        {
            for (int i = 0; i < Paths.Length; i++) action(i);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    private sealed class Names(RuntimeSnapshot snapshot) : ICaptureNames
    {
        public bool InterfaceExists(string nameIf) => snapshot.FindNameIf(nameIf) >= 0;

        public bool AccessListExists(string name) => snapshot.Config.FindAccessList(name) is not null;
    }

    private sealed class NullTransmitter : ITransmitter
    {
        public void Transmit(int physPort, ReadOnlySpan<byte> frame)
        {
        }

        public bool IsLinkUp(int physPort) => true;
    }
}
