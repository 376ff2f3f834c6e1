using Bridge.Packets.Pcap;

namespace Bridge.Capture;

/// <summary>
/// A capture as a classic pcap file (Ethernet link type, microsecond stamps): frames exactly as
/// stored, VLAN tags included; the original length is kept so readers show cut frames as such.
/// </summary>
public static class CapturePcap
{
    public static void Write(CaptureContents contents, Stream to)
    {
        using var writer = new PcapWriter(to, PcapResolution.Microseconds, contents.Definition.PacketLength, leaveOpen: true);
        foreach (var p in contents.Packets) writer.Write(p.TimeNs, p.Frame, Math.Max(p.OriginalLength, p.Frame.Length));
    }

    public static void Write(CaptureContents contents, string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        Write(contents, file);
    }
}
