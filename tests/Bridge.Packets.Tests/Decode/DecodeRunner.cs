using System.Buffers.Binary;

namespace Bridge.Packets.Tests;

internal static class DecodeRunner
{
    public static (DropReason Reason, FrameInfo Info) Run(ReadOnlySpan<byte> frame)
    {
        var info = default(FrameInfo);
        info.Reset();
        var reason = FrameDecoder.Decode(frame, ref info);
        return (reason, info);
    }

    public static DropReason Reason(ReadOnlySpan<byte> frame) => Run(frame).Reason;

    public static byte[] With(byte[] frame, Action<byte[]> damage)
    {
        var copy = (byte[])frame.Clone();
        damage(copy);
        return copy;
    }

    public static void Put16(byte[] f, int at, int value) => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(at), (ushort)value);
}
