using System.Buffers.Binary;

namespace Bridge.Io.Tests;

/// <summary>Builds test frames by hand: Ethernet, optional tags, IPv4 with UDP or TCP.</summary>
internal static class Frames
{
    /// <summary>Source MACs of test frames start with 02:b1 so stray frames are easy to ignore.</summary>
    public static readonly byte[] SourceMac = [0x02, 0xb1, 0x00, 0x00, 0x00, 0x01];
    public static readonly byte[] DestinationMac = [0x02, 0xb1, 0x00, 0x00, 0x00, 0x02];

    public static bool IsTestFrame(ReadOnlySpan<byte> frame) => frame.Length >= 12 && frame[6] == 0x02 && frame[7] == 0xb1;

    public readonly record struct Tag(ushort Tpid, ushort Tci);

    public static byte[] Udp(int payloadBytes, byte seq, params Tag[] tags) =>
        Ipv4(17, 0x0a000001, 0x0a000002, 1000, 2000, payloadBytes, seq, tags);

    public static byte[] Ipv4(byte protocol, uint srcIp, uint dstIp, ushort srcPort, ushort dstPort,
        int payloadBytes, byte seq, params Tag[] tags)
    {
        int l4 = protocol == 6 ? 20 : 8;
        int ipLength = 20 + l4 + payloadBytes;
        var f = new byte[14 + 4 * tags.Length + ipLength];
        DestinationMac.CopyTo(f, 0);
        SourceMac.CopyTo(f, 6);
        int o = 12;
        foreach (var t in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o), t.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o + 2), t.Tci);
            o += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o), 0x0800);
        o += 2;
        var ip = f.AsSpan(o, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], seq);
        ip[8] = 64;
        ip[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], srcIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dstIp);
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        while (sum > 0xffff)
            sum = (sum & 0xffff) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
        var l4s = f.AsSpan(o + 20);
        BinaryPrimitives.WriteUInt16BigEndian(l4s, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(l4s[2..], dstPort);
        if (protocol == 6)
        {
            l4s[12] = 0x50;
            l4s[13] = 0x10;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4s[4..], (ushort)(8 + payloadBytes));
        }
        for (int i = 0; i < payloadBytes; i++)
            f[o + 20 + l4 + i] = (byte)(seq + i);
        return f;
    }
}
