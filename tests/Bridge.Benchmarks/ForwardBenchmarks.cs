using BenchmarkDotNet.Attributes;
using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;

namespace Bridge.Benchmarks;

/// <summary>
/// The established-flow path: decode, every stage, VLAN translation and transmit to a sink, for a
/// TCP data segment of a connection that exists. Allocated must read "-" (zero bytes). With
/// <see cref="Captures"/> = two: the seed's pair of captures over all IP traffic (CAPI on INSIDE
/// with trace, CAPO on OUTSIDE, both circular so they keep storing), which prices a capture on the
/// forwarding path (issue 5): compare the two rows of each method.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    [Params("none", "two")]
    public string Captures { get; set; } = "none";

    private const string Config = """
        interface veth-in.1577
         vlan 1577
         nameif INSIDE
         bridge-group 1
        interface veth-out
         nameif OUTSIDE
         bridge-group 1
        access-list CSM_FW_ACL_ advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482
        access-group CSM_FW_ACL_ global
        """;

    private DataPath _dp = null!;
    private byte[] _fromB = [];
    private byte[] _fromA = [];
    private byte[] _work = [];
    private long _now;

    private sealed class Sink : ITransmitter
    {
        public long Frames;

        public void Transmit(int physPort, ReadOnlySpan<byte> frame) => Frames++;

        public bool IsLinkUp(int physPort) => true;
    }

    [GlobalSetup]
    public void Setup()
    {
        var snap = RuntimeSnapshot.Build(BridgeConfig.Parse(Config));
        _dp = new DataPath(snap, new MacTable(), new Sink());
        var a = new MacAddr(0x000c_2998_3fecUL);
        var b = new MacAddr(0x6c41_6aa1_2bf6UL);
        var ipA = IpAddr.Parse("192.168.103.1");
        var ipB = IpAddr.Parse("192.168.101.1");
        _now = 1_500_000_000L * 1_000_000_000;
        _dp.Process(FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(ipA, ipB).Tcp(40000, 80, TcpFlags.Syn, 1000).Build(), 0, _now);
        _dp.Process(FrameBuilder.Ethernet(b, a).Ipv4(ipB, ipA).Tcp(80, 40000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001).Build(), 1, _now);
        _dp.Process(FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(ipA, ipB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build(), 0, _now);
        // Outside → inside: the reply direction, where the VLAN tag has to be inserted.
        _fromB = FrameBuilder.Ethernet(b, a).Ipv4(ipB, ipA).Tcp(80, 40000, TcpFlags.Ack, 5001, 1001, payload: new byte[18]).Build();
        // Inside → outside: the tag is stripped in place, so each call works on a fresh copy.
        _fromA = FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(ipA, ipB).Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build();
        _work = new byte[_fromA.Length];
        if (Captures == "two")
        {
            var registry = new Bridge.Capture.CaptureRegistry(1);
            var names = new CaptureNames(snap);
            foreach (var (name, args) in new[]
            {
                ("CAPI", "interface INSIDE buffer 33554432 circular-buffer trace match ip any any"),
                ("CAPO", "interface OUTSIDE buffer 33554432 circular-buffer match ip any any"),
            })
            {
                var def = Bridge.Capture.CaptureSyntax.Apply(null, name, Bridge.Capture.CaptureSyntax.Tokenize(args, 0), names);
                registry.Define(def, [_dp]);
            }
            // The traced capture traces its first trace-count packets only (FTD): spend them here.
            for (int i = 0; i < Bridge.Capture.CaptureDefinition.DefaultTraceCount; i++) EstablishedInsideToOutside();
        }
    }

    private sealed class CaptureNames(RuntimeSnapshot snap) : Bridge.Capture.ICaptureNames
    {
        public bool InterfaceExists(string nameIf) => snap.FindNameIf(nameIf) >= 0;

        public bool AccessListExists(string name) => snap.Config.FindAccessList(name) is not null;
    }

    [Benchmark(Baseline = true)]
    public DropReason EstablishedOutsideToInside() => _dp.Process(_fromB, 1, _now).Drop;

    [Benchmark]
    public DropReason EstablishedInsideToOutside()
    {
        _fromA.CopyTo(_work, 0);
        return _dp.Process(_work, 0, _now).Drop;
    }
}
