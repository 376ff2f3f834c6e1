using System.Buffers.Binary;

namespace Bridge.Packets.Tests;

/// <summary>
/// The decoder must survive anything: random bytes and valid frames damaged in the places a
/// parser trusts (tags, EtherType, IHL, length fields, extension lengths, TCP data offset).
/// Fixed seeds keep failures reproducible; each case reports its seed and round.
/// </summary>
public class DecoderPropertyTests
{
    private const int RandomRounds = 50_000;
    private const int MutationRounds = 60_000;

    private static readonly ushort[] InterestingTypes =
        [EtherTypes.Vlan, EtherTypes.QinQ, EtherTypes.Ipv4, EtherTypes.Ipv6, EtherTypes.Arp, 0x0026, 0x05FF, 0x0600, 0xFFFF];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_bytes_never_throw_and_offsets_stay_inside(int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[256];
        for (int round = 0; round < RandomRounds; round++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            // Bias a third of the inputs toward plausible headers so deeper layers get exercised.
            if (length >= 14 && round % 3 == 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(12), InterestingTypes[random.Next(InterestingTypes.Length)]);
            }
            Check(buffer.AsSpan(0, length), seed, round);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Mutated_valid_frames_never_throw_and_offsets_stay_inside(int seed)
    {
        var random = new Random(seed);
        var samples = SampleFrames.All().Select(s => s.Frame).ToArray();
        for (int round = 0; round < MutationRounds; round++)
        {
            var frame = (byte[])samples[random.Next(samples.Length)].Clone();
            int mutations = 1 + random.Next(3);
            for (int m = 0; m < mutations; m++) Mutate(frame, random);
            int length = random.Next(4) == 0 ? random.Next(frame.Length + 1) : frame.Length;
            Check(frame.AsSpan(0, length), seed, round);
        }
    }

    private static void Mutate(byte[] frame, Random random)
    {
        var (_, info) = DecodeRunner.Run(frame);
        int l3 = info.L3Offset >= 0 ? info.L3Offset : 14;
        switch (random.Next(8))
        {
            case 0:
                frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                // A tag or EtherType at 12, 16 or 20.
                Put16(frame, 12 + 4 * random.Next(3), InterestingTypes[random.Next(InterestingTypes.Length)]);
                break;
            case 2:
                // Version / IHL byte.
                Put8(frame, l3, (byte)random.Next(256));
                break;
            case 3:
                // IPv4 total length or IPv6 payload length (and flow label bytes nearby).
                Put16(frame, l3 + 2 + 2 * random.Next(2), Edge(random));
                break;
            case 4:
                // IPv6 next header / first extension length.
                Put8(frame, l3 + (random.Next(2) == 0 ? 6 : 41), (byte)random.Next(256));
                break;
            case 5:
                if (info.L4Offset >= 0)
                {
                    // UDP length, TCP data offset, or the first TCP option length.
                    int pick = random.Next(3);
                    if (pick == 0) Put16(frame, info.L4Offset + 4, Edge(random));
                    else if (pick == 1) Put8(frame, info.L4Offset + 12, (byte)(random.Next(16) << 4));
                    else Put8(frame, info.L4Offset + 21, (byte)random.Next(256));
                }
                break;
            case 6:
                // IPv4 flags / fragment offset.
                Put16(frame, l3 + 6, random.Next(65536));
                break;
            default:
                // Option bytes inside a header.
                Put8(frame, l3 + 20 + random.Next(20), (byte)random.Next(256));
                break;
        }
    }

    private static int Edge(Random random) => random.Next(5) switch
    {
        0 => 0,
        1 => 0xFFFF,
        2 => random.Next(8),
        3 => random.Next(20, 120),
        _ => random.Next(65536),
    };

    private static void Put8(byte[] f, int at, byte value)
    {
        if (at >= 0 && at < f.Length) f[at] = value;
    }

    private static void Put16(byte[] f, int at, int value)
    {
        if (at >= 0 && at + 2 <= f.Length) BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(at), (ushort)value);
    }

    private static void Check(ReadOnlySpan<byte> frame, int seed, int round)
    {
        var info = default(FrameInfo);
        info.Reset();
        DropReason reason;
        try
        {
            reason = FrameDecoder.Decode(frame, ref info);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"seed {seed} round {round}: decoder threw on {Convert.ToHexString(frame)}", ex);
        }
        int n = frame.Length;
        bool ok = reason < DropReason.Count
            && info.FrameLength == n
            && info.L3Offset >= -1 && info.L3Offset <= n
            && (info.L4Offset == -1 || (info.L4Offset >= 0 && info.L4Length >= 0 && info.L4Offset + info.L4Length <= n))
            && (info.PayloadOffset == -1 || (info.PayloadOffset >= 0 && info.PayloadLength >= 0 && info.PayloadOffset + info.PayloadLength <= n))
            && info.VlanCount <= 2
            && info.IpHeaderLength >= 0 && info.TcpHeaderLength >= 0
            && (!info.IsIp || info.L3Offset + info.IpHeaderLength <= n)
            && (reason != DropReason.None || info.L4Offset == -1 || info.L4Offset >= info.L3Offset + info.IpHeaderLength);
        Assert.True(ok, $"seed {seed} round {round}: {reason} L3 {info.L3Offset} L4 {info.L4Offset}+{info.L4Length} payload {info.PayloadOffset}+{info.PayloadLength} on {Convert.ToHexString(frame)}");
    }
}
