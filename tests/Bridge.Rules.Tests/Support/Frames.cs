using System.Text;
using Bridge.Packets;

namespace Bridge.Rules.Tests.Support;

/// <summary>Test frames: client 10.0.0.1, server 10.0.0.2 unless told otherwise.</summary>
internal static class Frames
{
    public static readonly MacAddr MacA = new(0x02_00_00_00_00_01UL);
    public static readonly MacAddr MacB = new(0x02_00_00_00_00_02UL);
    public const string Client = "10.0.0.1";
    public const string Server = "10.0.0.2";

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static byte[] Tcp(string payload, ushort sport = 40000, ushort dport = 80, TcpFlags flags = TcpFlags.Ack | TcpFlags.Psh,
        string src = Client, string dst = Server, uint seq = 1, uint ack = 1, ushort window = 65535) =>
        TcpBytes(Bytes(payload), sport, dport, flags, src, dst, seq, ack, window);

    public static byte[] TcpBytes(byte[] payload, ushort sport = 40000, ushort dport = 80, TcpFlags flags = TcpFlags.Ack | TcpFlags.Psh,
        string src = Client, string dst = Server, uint seq = 1, uint ack = 1, ushort window = 65535, byte ttl = 64) =>
        FrameBuilder.Ethernet(MacA, MacB).Ipv4(IpAddr.Parse(src), IpAddr.Parse(dst), ttl: ttl)
            .Tcp(sport, dport, flags, seq, ack, window, payload.Length == 0 ? null : payload).Build();

    public static byte[] Udp(byte[] payload, ushort sport = 40000, ushort dport = 53, string src = Client, string dst = Server) =>
        FrameBuilder.Ethernet(MacA, MacB).Ipv4(IpAddr.Parse(src), IpAddr.Parse(dst)).Udp(sport, dport, payload).Build();

    public static byte[] Icmp(byte type, byte code, string src = Client, string dst = Server) =>
        FrameBuilder.Ethernet(MacA, MacB).Ipv4(IpAddr.Parse(src), IpAddr.Parse(dst)).Icmp(type, code, new byte[8]).Build();
}
