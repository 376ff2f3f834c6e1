using System.Buffers.Binary;
using Bridge.Packets;
using Bridge.Rules.Matching;

namespace Bridge.Rules.Options;

/// <summary>Header fields that options compare with a <see cref="NumericTest"/>.</summary>
internal enum PacketField : byte
{
    PayloadSize,
    Ttl,
    Tos,
    IpId,
    IpProto,
    FragOffset,
    TcpSeq,
    TcpAck,
    TcpWindow,
    IcmpType,
    IcmpCode,
    IcmpId,
    IcmpSeq,
    UriLength,
}

/// <summary>
/// One numeric comparison on a header field (dsize, ttl, tos, id, ip_proto, fragoffset, seq, ack,
/// window, itype, icode, icmp_id, icmp_seq, urilen). A packet without the field (no TCP header for
/// seq, no ICMP for itype, no URI for urilen) does not match, as in Snort.
/// </summary>
internal sealed class FieldTestOption(PacketField field, NumericTest test) : TestOption
{
    public PacketField Field { get; } = field;
    public NumericTest Range { get; } = test;

    public override bool Test(ref Evaluation e)
    {
        ref readonly var i = ref e.Info;
        long v;
        switch (Field)
        {
            case PacketField.PayloadSize: v = e.Payload.Length; break;
            case PacketField.Ttl: if (!i.IsIp) return false; v = i.Ttl; break;
            case PacketField.Tos: if (!i.IsIpv4) return false; v = i.Tos; break;
            case PacketField.IpId: if (!i.IsIpv4) return false; v = i.IpId; break;
            case PacketField.IpProto: if (!i.IsIp) return false; v = i.Protocol; break;
            case PacketField.FragOffset: if (!i.IsIpv4) return false; v = i.FragmentOffset / 8; break;
            case PacketField.TcpSeq: if (!i.IsTcp) return false; v = i.TcpSeq; break;
            case PacketField.TcpAck: if (!i.IsTcp) return false; v = i.TcpAck; break;
            case PacketField.TcpWindow: if (!i.IsTcp) return false; v = i.TcpWindow; break;
            case PacketField.IcmpType: if (!i.IsIcmp) return false; v = i.IcmpType; break;
            case PacketField.IcmpCode: if (!i.IsIcmp) return false; v = i.IcmpCode; break;
            case PacketField.IcmpId: if (!IsEcho(in i) || !ReadIcmpWord(ref e, 4, out v)) return false; break;
            case PacketField.IcmpSeq: if (!IsEcho(in i) || !ReadIcmpWord(ref e, 6, out v)) return false; break;
            case PacketField.UriLength:
                if (!e.HasBuffer(BufferId.HttpUri)) return false;
                v = e.Buffer(BufferId.HttpUri).Length;
                break;
            default: return false;
        }
        return Range.Test(v);
    }

    private static bool IsEcho(in FrameInfo i) =>
        i.IsIcmp && (i.Protocol == IpProtocol.Icmp ? i.IcmpType is 0 or 8 : i.IcmpType is 128 or 129);

    private static bool ReadIcmpWord(ref Evaluation e, int at, out long v)
    {
        int off = e.Info.L4Offset + at;
        v = 0;
        if (off + 2 > e.Frame.Length) return false;
        v = BinaryPrimitives.ReadUInt16BigEndian(e.Frame.Slice(off));
        return true;
    }
}
