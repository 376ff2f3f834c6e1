namespace Bridge.Packets;

/// <summary>
/// Decodes a wire frame (VLAN tags included) into <see cref="FrameInfo"/> without allocating.
/// Returns <see cref="DropReason.None"/> on success, otherwise the asp-drop reason for the
/// first malformation found; fields decoded before the malformation stay filled in.
/// </summary>
public static partial class FrameDecoder
{
    public static DropReason Decode(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        throw new NotImplementedException("decoder: being written");
    }
}
