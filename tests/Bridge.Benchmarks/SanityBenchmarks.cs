using BenchmarkDotNet.Attributes;
using Bridge.Packets;
using Bridge.Pipeline.Stages.Sanity;

namespace Bridge.Benchmarks;

/// <summary>
/// The early sanity checks every frame pays (MTU, TTL 0, TCP flag combination), priced alone: on a
/// loaded box the forwarding benchmark's noise is far above their few compares.
/// </summary>
[MemoryDiagnoser]
public class SanityBenchmarks
{
    private FrameInfo _tcpAck;
    private FrameInfo _icmp;

    [GlobalSetup]
    public void Setup()
    {
        var a = new MacAddr(0x000c_2998_3fecUL);
        var b = new MacAddr(0x6c41_6aa1_2bf6UL);
        _tcpAck = Decoded(FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(IpAddr.Parse("192.168.103.1"), IpAddr.Parse("192.168.101.1"))
            .Tcp(40000, 80, TcpFlags.Ack, 1001, 5001).Build());
        _icmp = Decoded(FrameBuilder.Ethernet(b, a).Ipv4(IpAddr.Parse("192.168.101.1"), IpAddr.Parse("192.168.103.1")).IcmpEcho(false, 1, 1).Build());
    }

    private static FrameInfo Decoded(byte[] frame)
    {
        var info = new FrameInfo();
        info.Reset();
        if (FrameDecoder.Decode(frame, ref info) != DropReason.None) throw new InvalidOperationException("benchmark frame does not decode");
        return info;
    }

    [Benchmark(Baseline = true)]
    public DropReason TcpAck() => FrameSanity.Check(in _tcpAck, 1500);

    [Benchmark]
    public DropReason Icmp() => FrameSanity.Check(in _icmp, 1500);
}
