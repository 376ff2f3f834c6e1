using Bridge.Io.AfPacket;

namespace Bridge.Io;

/// <summary>
/// Reads a device's link state with SIOCGIFFLAGS on a socket of the device's own network
/// namespace (sysfs shows the namespace the reader mounted, not the socket's), and caches it so
/// the data path pays one tick comparison per call, not a syscall.
/// </summary>
internal sealed unsafe class LinkProbe
{
    private readonly int _fd;
    private readonly Native.IfReq _request;
    private readonly int _intervalMs;
    private long _nextCheckMs;
    private bool _up;

    /// <param name="fd">Any socket of the device's namespace; not owned by the probe.</param>
    public LinkProbe(int fd, string device, int intervalMs)
    {
        _fd = fd;
        _request = Native.IfReq.For(device);
        _intervalMs = intervalMs;
        Refresh();
    }

    public bool Up => _up;

    /// <summary>Re-reads the flags when the interval has elapsed.</summary>
    public bool RefreshIfDue()
    {
        if (Environment.TickCount64 >= _nextCheckMs)
            Refresh();
        return _up;
    }

    /// <summary>Forces the next <see cref="RefreshIfDue"/> to read the flags (after ENETDOWN/ENXIO).</summary>
    public void Invalidate() => _nextCheckMs = 0;

    public bool Refresh()
    {
        var req = _request;
        // SAFETY: req is a stack copy of a 40-byte ifreq, the size SIOCGIFFLAGS writes.
        int rc = Native.ioctl(_fd, Native.SIOCGIFFLAGS, &req);
        // IFF_RUNNING mirrors carrier (and operstate) for the device; a vanished device reads as down.
        _up = rc == 0 && (req.Flags & Native.IFF_UP) != 0 && (req.Flags & Native.IFF_RUNNING) != 0;
        _nextCheckMs = Environment.TickCount64 + _intervalMs;
        return _up;
    }
}
