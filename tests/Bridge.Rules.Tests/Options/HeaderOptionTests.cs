using Bridge.Packets;
using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Options;

public class HeaderOptionTests
{
    private static bool Fires(string options, byte[] frame)
    {
        var e = new Engine($"alert ip any any -> any any ({options}; sid:1;)");
        Assert.Equal(0, e.Set.Report.Rejected);
        return e.Feed(frame).Count == 1;
    }

    [Theory]
    [InlineData("flags:S", TcpFlags.Syn, true)]
    [InlineData("flags:S", TcpFlags.Syn | TcpFlags.Ack, false)]
    [InlineData("flags:S+", TcpFlags.Syn | TcpFlags.Ack, true)]
    [InlineData("flags:SF*", TcpFlags.Fin | TcpFlags.Ack, true)]
    [InlineData("flags:SF*", TcpFlags.Ack, false)]
    [InlineData("flags:0", TcpFlags.None, true)]
    [InlineData("flags:S,CE", TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, true)]
    [InlineData("flags:S,12", TcpFlags.Syn | TcpFlags.Ece, true)]
    // "!": Snort's code matches when the masked flags are not exactly the listed ones.
    [InlineData("flags:!A", TcpFlags.Syn, true)]
    [InlineData("flags:!A", TcpFlags.Ack, false)]
    public void Flags(string options, TcpFlags flags, bool expected) =>
        Assert.Equal(expected, Fires(options, Frames.Tcp("", flags: flags)));

    [Theory]
    [InlineData("dsize:5", "hello", true)]
    [InlineData("dsize:>4", "hello", true)]
    [InlineData("dsize:<5", "hello", false)]
    [InlineData("dsize:3<>6", "hello", true)]
    [InlineData("dsize:5<>6", "hello", true)]
    [InlineData("dsize:!5", "hello", false)]
    [InlineData("dsize:0", "", true)]
    public void Dsize(string options, string payload, bool expected) =>
        Assert.Equal(expected, Fires(options, Frames.Tcp(payload)));

    [Theory]
    [InlineData("itype:8", 8, 0, true)]
    [InlineData("itype:>7", 8, 0, true)]
    [InlineData("itype:0", 8, 0, false)]
    [InlineData("itype:3; icode:3", 3, 3, true)]
    [InlineData("icode:1<>4", 3, 3, true)]
    [InlineData("icode:>3", 3, 3, false)]
    public void IcmpTypeAndCode(string options, byte type, byte code, bool expected) =>
        Assert.Equal(expected, Fires(options, Frames.Icmp(type, code)));

    [Fact]
    public void IcmpTypeNeverMatchesTcp() => Assert.False(Fires("itype:0", Frames.Tcp("x")));

    [Fact]
    public void EchoIdAndSequence()
    {
        var echo = FrameBuilder.Ethernet(Frames.MacA, Frames.MacB).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).IcmpEcho(true, 0x1234, 7).Build();
        Assert.True(Fires("icmp_id:4660; icmp_seq:7", echo));
        Assert.False(Fires("icmp_seq:8", echo));
    }

    [Theory]
    [InlineData("ttl:64", true)]
    [InlineData("ttl:<65", true)]
    [InlineData("ttl:>64", false)]
    [InlineData("ttl:60-70", true)]
    [InlineData("ip_proto:6", true)]
    [InlineData("ip_proto:tcp", true)]
    [InlineData("ip_proto:!tcp", false)]
    [InlineData("seq:1", true)]
    [InlineData("ack:2", false)]
    [InlineData("window:65535", true)]
    [InlineData("window:!65535", false)]
    [InlineData("id:0", true)]
    [InlineData("tos:0", true)]
    [InlineData("fragbits:M", false)]
    [InlineData("fragoffset:0", true)]
    [InlineData("sameip", false)]
    [InlineData("ipopts:any", false)]
    public void IpAndTcpFields(string options, bool expected) =>
        Assert.Equal(expected, Fires(options, Frames.Tcp("x")));

    [Fact]
    public void SameipAndIpopts()
    {
        Assert.True(Fires("sameip", Frames.Tcp("x", src: "10.9.9.9", dst: "10.9.9.9")));
        var rr = FrameBuilder.Ethernet(Frames.MacA, Frames.MacB)
            .Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"), options: [7, 7, 4, 0, 0, 0, 0, 0])
            .Udp(1, 2, [1]).Build();
        Assert.True(Fires("ipopts:rr", rr));
        Assert.False(Fires("ipopts:ts", rr));
    }

    [Fact]
    public void DontFragmentBit()
    {
        var df = FrameBuilder.Ethernet(Frames.MacA, Frames.MacB).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"), dontFragment: true).Udp(1, 2, [1]).Build();
        Assert.True(Fires("fragbits:D", df));
        Assert.True(Fires("fragbits:D+", df));
        Assert.False(Fires("fragbits:M*", df));
    }
}
