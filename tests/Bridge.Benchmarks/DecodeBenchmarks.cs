using BenchmarkDotNet.Attributes;
using Bridge.Packets;

namespace Bridge.Benchmarks;

/// <summary>Decoding cost per frame for the common shapes (the decoder runs on every frame).</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] _tcp = [];
    private byte[] _icmpTagged = [];
    private byte[] _udp6 = [];

    [GlobalSetup]
    public void Setup()
    {
        var a = new MacAddr(0x000c_2998_3fecUL);
        var b = new MacAddr(0x6c41_6aa1_2bf6UL);
        _tcp = FrameBuilder.Ethernet(a, b).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"))
            .Tcp(40000, 443, TcpFlags.Ack | TcpFlags.Psh, 1, 1, payload: new byte[1400], options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]).Build();
        _icmpTagged = FrameBuilder.Ethernet(a, b).Vlan(1577).Ipv4(IpAddr.Parse("192.168.103.1"), IpAddr.Parse("192.168.101.1")).IcmpEcho(true, 1, 1).Build();
        _udp6 = FrameBuilder.Ethernet(a, b).Ipv6(IpAddr.Parse("2001:db8::1"), IpAddr.Parse("2001:db8::2")).Udp(5353, 53, new byte[64]).Build();
    }

    private static int Run(byte[] frame)
    {
        var info = new FrameInfo();
        info.Reset();
        return (int)FrameDecoder.Decode(frame, ref info) + info.L4Offset;
    }

    [Benchmark(Baseline = true)]
    public int Ipv4Tcp() => Run(_tcp);

    [Benchmark]
    public int Dot1qIcmp() => Run(_icmpTagged);

    [Benchmark]
    public int Ipv6Udp() => Run(_udp6);
}
