using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Bridge.Packets;

namespace Bridge.Pipeline.Stages.Transmit;

/// <summary>
/// VLAN translation on egress: the egress nameif's VLAN decides the outer tag. A tag is rewritten
/// in place (TPID and PCP kept), removed by moving the MAC addresses up four bytes, or inserted
/// into the caller's scratch buffer because the received frame has no headroom.
/// </summary>
public static class VlanTag
{
    /// <summary>
    /// Returns the frame as it must leave with outer VLAN <paramref name="egressVlan"/> (0 = untagged).
    /// May modify <paramref name="frame"/> in place; then the original bytes are gone, so callers
    /// that send one frame to several interfaces use <paramref name="scratch"/> for every copy.
    /// </summary>
    public static Span<byte> Apply(Span<byte> frame, in FrameInfo info, ushort egressVlan, Span<byte> scratch, bool inPlace)
    {
        ushort ingressVlan = info.VlanCount > 0 ? info.OuterVlan : (ushort)0;
        if (ingressVlan == egressVlan) return frame;
        if (info.VlanCount > 0 && egressVlan != 0)
        {
            var target = inPlace ? frame : Copy(frame, scratch);
            ushort tci = BinaryPrimitives.ReadUInt16BigEndian(target.Slice(14));
            BinaryPrimitives.WriteUInt16BigEndian(target.Slice(14), (ushort)((tci & 0xF000) | egressVlan));
            return target;
        }
        if (info.VlanCount > 0)
        {
            if (inPlace)
            {
                // The two MAC addresses move up over the tag: two loads, two stores, no memmove call.
                ulong head = MemoryMarshal.Read<ulong>(frame);
                uint tail = MemoryMarshal.Read<uint>(frame.Slice(8));
                MemoryMarshal.Write(frame.Slice(4), in head);
                MemoryMarshal.Write(frame.Slice(12), in tail);
                return frame.Slice(4);
            }
            frame.Slice(0, 12).CopyTo(scratch);
            frame.Slice(16).CopyTo(scratch.Slice(12));
            return scratch.Slice(0, frame.Length - 4);
        }
        frame.Slice(0, 12).CopyTo(scratch);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(12), EtherTypes.Vlan);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(14), egressVlan);
        frame.Slice(12).CopyTo(scratch.Slice(16));
        return scratch.Slice(0, frame.Length + 4);
    }

    private static Span<byte> Copy(Span<byte> frame, Span<byte> scratch)
    {
        frame.CopyTo(scratch);
        return scratch.Slice(0, frame.Length);
    }
}
