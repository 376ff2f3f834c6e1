using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Support;

/// <summary>A frame the data path handed to a port.</summary>
public sealed record SentFrame(int Port, byte[] Bytes)
{
    public FrameInfo Decode()
    {
        var info = new FrameInfo();
        info.Reset();
        Assert.Equal(DropReason.None, FrameDecoder.Decode(Bytes, ref info));
        return info;
    }
}

/// <summary>
/// One worker's data path over a real config, with a transmitter that records what leaves each
/// port. Physical port 0 is the first device of the config (INSIDE in the seed), 1 the second.
/// </summary>
public sealed class TestBed : ITransmitter
{
    public const string SeedConfig = """
        hostname firepower
        interface veth-in.1577
         vlan 1577
         nameif INSIDE
         bridge-group 1
        interface veth-out
         nameif OUTSIDE
         bridge-group 1
        access-list CSM_FW_ACL_ remark rule-id 268436482: ACCESS POLICY: FTD5515 - Mandatory/1
        access-list CSM_FW_ACL_ remark rule-id 268436482: L4 RULE: Allow ICMP
        access-list CSM_FW_ACL_ advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482 event-log both
        access-group CSM_FW_ACL_ global
        """;

    public static readonly MacAddr MacA = new(0x000c_2998_3fecUL);
    public static readonly MacAddr MacB = new(0x6c41_6aa1_2bf6UL);
    public static readonly IpAddr IpA = IpAddr.Parse("192.168.103.1");
    public static readonly IpAddr IpB = IpAddr.Parse("192.168.101.1");
    public const int Inside = 0;
    public const int Outside = 1;

    /// <summary>Seed epoch: 17:24:09 on the day of the FTD document's capture.</summary>
    public const long T0 = 1_500_000_000L * 1_000_000_000;

    public TestBed(string configText = SeedConfig, int flowCapacity = 65536, int workerCount = 1)
    {
        Snapshot = RuntimeSnapshot.Build(BridgeConfig.Parse(configText));
        Path = new DataPath(Snapshot, new MacTable(), this, 0, workerCount, flowCapacity);
    }

    public RuntimeSnapshot Snapshot { get; }
    public DataPath Path { get; }
    public List<SentFrame> Sent { get; } = new();
    public HashSet<int> DownPorts { get; } = new();

    public void Transmit(int physPort, ReadOnlySpan<byte> frame) => Sent.Add(new SentFrame(physPort, frame.ToArray()));

    public bool IsLinkUp(int physPort) => !DownPorts.Contains(physPort);

    public PacketOutcome Send(int port, byte[] frame, long ns = T0, TraceSink? trace = null, bool dryRun = false) =>
        Path.Process(frame.AsSpan(), port, ns, trace, dryRun);

    public static FrameBuilder FromA(bool tagged = true)
    {
        var b = FrameBuilder.Ethernet(MacA, MacB);
        return tagged ? b.Vlan(1577) : b;
    }

    public static FrameBuilder FromB() => FrameBuilder.Ethernet(MacB, MacA);

    public static byte[] EchoRequest(ushort id, ushort seq) => FromA().Ipv4(IpA, IpB, ttl: 128, id: 3346).IcmpEcho(true, id, seq, 32).Build();

    public static byte[] EchoReply(ushort id, ushort seq) => FromB().Ipv4(IpB, IpA, ttl: 64).IcmpEcho(false, id, seq, 32).Build();

    public long Drops(DropReason r) => Path.FrameDrops[(int)r] + Path.FlowDrops[(int)r];
}
