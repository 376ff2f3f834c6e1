using Bridge.Io.AfPacket;
using Bridge.Packets;

namespace Bridge.Io;

/// <summary>What the bridge needs to know about one of its interfaces.</summary>
public sealed record NicInfo(string Device, int IfIndex, int Mtu, MacAddr Mac, bool AdminUp, bool Running, bool Promiscuous);

/// <summary>Segmentation and coalescing offloads, as the legacy ethtool commands report them.</summary>
public readonly record struct NicOffloads(bool Gro, bool Lro, bool Gso, bool Tso);

/// <summary>A NIC setup step failed; the message names the device and the step.</summary>
public sealed class NicSetupException(string device, string step, string reason)
    : IOException($"interface {device}: {step} failed: {reason}")
{
    public string Device { get; } = device;
    public string Step { get; } = step;
}

/// <summary>
/// Prepares a bridge interface: link up, promiscuous, and every offload that merges or splits
/// frames turned off, because an inline bridge must forward the frames as they were on the wire
/// (GRO/LRO would hand it 64 KB super-frames, GSO/TSO would let the kernel resegment on send).
/// Works on the calling thread's network namespace (see <see cref="NetworkNamespace"/>).
/// </summary>
public static unsafe class NicSetup
{
    // Legacy ethtool command numbers (linux/ethtool.h); still served by current kernels and
    // simpler than the ETHTOOL_SFEATURES bitmap, which needs the string set of feature names.
    private const uint EthtoolGetTso = 0x1e;
    private const uint EthtoolSetTso = 0x1f;
    private const uint EthtoolGetGso = 0x23;
    private const uint EthtoolSetGso = 0x24;
    private const uint EthtoolGetFlags = 0x25;
    private const uint EthtoolSetFlags = 0x26;
    private const uint EthtoolGetGro = 0x2b;
    private const uint EthtoolSetGro = 0x2c;
    private const uint EthFlagLro = 1 << 15;

    /// <summary>Reads index, MTU, MAC and flags; throws <see cref="NicSetupException"/> if the device does not exist.</summary>
    public static NicInfo Query(string device)
    {
        int fd = OpenControlSocket(device);
        try
        {
            return QueryOn(fd, device);
        }
        finally
        {
            Native.close(fd);
        }
    }

    /// <summary>Brings the link up in promiscuous mode with GRO, LRO, GSO and TSO off, then returns its state.</summary>
    public static NicInfo Prepare(string device)
    {
        int fd = OpenControlSocket(device);
        try
        {
            var req = Native.IfReq.For(device);
            Ioctl(fd, device, Native.SIOCGIFFLAGS, &req, "read interface flags");
            req.Flags |= Native.IFF_UP | Native.IFF_PROMISC;
            Ioctl(fd, device, Native.SIOCSIFFLAGS, &req, "set link up and promiscuous");

            SetOffload(fd, device, EthtoolSetGro, EthtoolGetGro, "GRO off");
            SetOffload(fd, device, EthtoolSetGso, EthtoolGetGso, "GSO off");
            SetOffload(fd, device, EthtoolSetTso, EthtoolGetTso, "TSO off");
            ClearLro(fd, device);
            return QueryOn(fd, device);
        }
        finally
        {
            Native.close(fd);
        }
    }

    public static NicOffloads ReadOffloads(string device)
    {
        int fd = OpenControlSocket(device);
        try
        {
            return new NicOffloads(
                Gro: EthtoolGet(fd, device, EthtoolGetGro, "read GRO") != 0,
                Lro: (EthtoolGet(fd, device, EthtoolGetFlags, "read flags") & EthFlagLro) != 0,
                Gso: EthtoolGet(fd, device, EthtoolGetGso, "read GSO") != 0,
                Tso: EthtoolGet(fd, device, EthtoolGetTso, "read TSO") != 0);
        }
        finally
        {
            Native.close(fd);
        }
    }

    /// <summary>
    /// A bridge forwards frames unchanged, so a frame that fits one side's MTU but not the other's
    /// is dropped by the smaller side. Returns a warning text when the MTUs differ, otherwise null.
    /// </summary>
    public static string? CompareMtu(NicInfo inside, NicInfo outside)
    {
        if (inside.Mtu == outside.Mtu)
            return null;
        var (small, large) = inside.Mtu < outside.Mtu ? (inside, outside) : (outside, inside);
        return $"MTU mismatch: {inside.Device} has MTU {inside.Mtu}, {outside.Device} has MTU {outside.Mtu}; " +
               $"frames larger than {small.Mtu} bytes of payload from {large.Device} cannot be sent on {small.Device}";
    }

    private static int OpenControlSocket(string device)
    {
        int fd = Native.socket(Native.AF_INET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new NicSetupException(device, "open control socket", Native.ErrorText(Native.Errno));
        return fd;
    }

    private static NicInfo QueryOn(int fd, string device)
    {
        var req = Native.IfReq.For(device);
        Ioctl(fd, device, Native.SIOCGIFINDEX, &req, "look up interface (does it exist?)");
        int ifIndex = req.IntValue;

        req = Native.IfReq.For(device);
        Ioctl(fd, device, Native.SIOCGIFMTU, &req, "read MTU");
        int mtu = req.IntValue;

        req = Native.IfReq.For(device);
        Ioctl(fd, device, Native.SIOCGIFHWADDR, &req, "read MAC address");
        var mac = MacAddr.Read(new ReadOnlySpan<byte>(req.HwAddr, 6));

        req = Native.IfReq.For(device);
        Ioctl(fd, device, Native.SIOCGIFFLAGS, &req, "read interface flags");
        short flags = req.Flags;
        return new NicInfo(device, ifIndex, mtu, mac,
            AdminUp: (flags & Native.IFF_UP) != 0,
            Running: (flags & Native.IFF_RUNNING) != 0,
            Promiscuous: (flags & Native.IFF_PROMISC) != 0);
    }

    private static void SetOffload(int fd, string device, uint setCmd, uint getCmd, string step)
    {
        var value = new Native.EthtoolValue { Cmd = setCmd, Data = 0 };
        if (EthtoolCall(fd, device, &value) == 0)
            return;
        int err = Native.Errno;
        // A device without the feature refuses to change it; that is fine as long as it is off.
        if (err == Native.EOPNOTSUPP && EthtoolGet(fd, device, getCmd, step) == 0)
            return;
        throw new NicSetupException(device, step, Native.ErrorText(err));
    }

    private static void ClearLro(int fd, string device)
    {
        uint flags = EthtoolGet(fd, device, EthtoolGetFlags, "read flags");
        if ((flags & EthFlagLro) == 0)
            return;
        var value = new Native.EthtoolValue { Cmd = EthtoolSetFlags, Data = flags & ~EthFlagLro };
        if (EthtoolCall(fd, device, &value) != 0)
            throw new NicSetupException(device, "LRO off", Native.ErrorText(Native.Errno));
    }

    private static uint EthtoolGet(int fd, string device, uint cmd, string step)
    {
        var value = new Native.EthtoolValue { Cmd = cmd };
        if (EthtoolCall(fd, device, &value) != 0)
        {
            int err = Native.Errno;
            // Devices without ethtool support (or without this query) have the offload off.
            if (err == Native.EOPNOTSUPP)
                return 0;
            throw new NicSetupException(device, step, Native.ErrorText(err));
        }
        return value.Data;
    }

    private static int EthtoolCall(int fd, string device, Native.EthtoolValue* value)
    {
        var req = Native.IfReq.For(device);
        req.Data = value;
        // SAFETY: req lives on this frame and points at the caller's stack ethtool_value for the call's duration.
        return Native.ioctl(fd, Native.SIOCETHTOOL, &req);
    }

    private static void Ioctl(int fd, string device, ulong request, Native.IfReq* req, string step)
    {
        // SAFETY: req points at a caller-owned 40-byte ifreq, the size every SIOC*IF* request uses.
        if (Native.ioctl(fd, request, req) != 0)
            throw new NicSetupException(device, step, Native.ErrorText(Native.Errno));
    }
}
