using Bridge.Io.AfPacket;
using Bridge.Packets;

namespace Bridge.Io;

/// <summary>What the bridge needs to know about one of its interfaces.</summary>
public sealed record NicInfo(string Device, int IfIndex, int Mtu, MacAddr Mac, bool AdminUp, bool Running, bool Promiscuous);

/// <summary>Coalescing (GRO, LRO) and segmentation (GSO, TSO) offloads; true when any variant of it is active.</summary>
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
    // ethtool commands (linux/ethtool.h). Features are switched by name through the feature
    // string set, because the legacy per-offload commands miss newer bits (tx-tcp-accecn-segmentation).
    private const uint EthtoolGetStrings = 0x1b;
    private const uint EthtoolGetStringSetInfo = 0x37;
    private const uint EthtoolGetFeatures = 0x3a;
    private const uint EthtoolSetFeatures = 0x3b;
    private const int StringSetFeatures = 4;
    private const int EthtoolStringLength = 32;

    /// <summary>Whether a feature merges received frames or lets the stack send unsegmented ones.</summary>
    internal static bool IsFrameAlteringOffload(string feature) =>
        feature is "rx-gro" or "rx-lro" or "rx-gro-hw" or "rx-gro-list" or "rx-udp-gro-forwarding"
        || (feature.StartsWith("tx-", StringComparison.Ordinal) && feature.EndsWith("-segmentation", StringComparison.Ordinal));

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

            DisableOffloads(fd, device);
            return QueryOn(fd, device);
        }
        finally
        {
            Native.close(fd);
        }
    }

    /// <summary>Sets the device MTU (the configured <c>mtu</c> of the nameifs it carries).</summary>
    public static void SetMtu(string device, int mtu)
    {
        int fd = OpenControlSocket(device);
        try
        {
            var req = Native.IfReq.For(device);
            req.IntValue = mtu;
            Ioctl(fd, device, Native.SIOCSIFMTU, &req, $"set MTU {mtu}");
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
            var names = FeatureNames(fd, device);
            var active = ActiveFeatures(fd, device, names.Length);
            bool On(Func<string, bool> match)
            {
                for (int i = 0; i < names.Length; i++)
                {
                    if (match(names[i]) && active[i])
                        return true;
                }
                return false;
            }
            return new NicOffloads(
                Gro: On(static n => n is "rx-gro" or "rx-gro-hw" or "rx-gro-list"),
                Lro: On(static n => n == "rx-lro"),
                Gso: On(static n => n == "tx-generic-segmentation"),
                Tso: On(static n => n.StartsWith("tx-tcp", StringComparison.Ordinal) && n.EndsWith("-segmentation", StringComparison.Ordinal)));
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

    private static void DisableOffloads(int fd, string device)
    {
        var names = FeatureNames(fd, device);
        int blocks = (names.Length + 31) / 32;
        // struct ethtool_sfeatures: cmd, size, then {valid, requested} per 32 features.
        var request = new uint[2 + 2 * blocks];
        request[0] = EthtoolSetFeatures;
        request[1] = (uint)blocks;
        for (int i = 0; i < names.Length; i++)
        {
            if (IsFrameAlteringOffload(names[i]))
                request[2 + 2 * (i / 32)] |= 1u << (i % 32);
        }
        fixed (uint* p = request)
        {
            // A positive result flags features the device cannot change; they are checked below.
            if (EthtoolCall(fd, device, p) < 0)
                throw new NicSetupException(device, "offloads off (ETHTOOL_SFEATURES)", Native.ErrorText(Native.Errno));
        }
        var active = ActiveFeatures(fd, device, names.Length);
        var stuck = new List<string>();
        for (int i = 0; i < names.Length; i++)
        {
            if (active[i] && IsFrameAlteringOffload(names[i]) && !IsTunnelSegmentation(names[i]))
                stuck.Add(names[i]);
        }
        if (stuck.Count > 0)
            throw new NicSetupException(device, "offloads off", $"still on: {string.Join(", ", stuck)}");
    }

    // Tunnel segmentation only applies to encapsulated traffic the host itself sends; a device
    // that cannot turn it off is no problem for the bridge.
    private static bool IsTunnelSegmentation(string feature) =>
        feature.Contains("gre", StringComparison.Ordinal) || feature.Contains("ipxip", StringComparison.Ordinal)
        || feature.Contains("udp_tnl", StringComparison.Ordinal) || feature.Contains("tunnel", StringComparison.Ordinal);

    private static string[] FeatureNames(int fd, string device)
    {
        // struct ethtool_sset_info: cmd, reserved, u64 sset_mask, then one u32 count per set asked.
        var info = new uint[5];
        info[0] = EthtoolGetStringSetInfo;
        info[2] = 1u << StringSetFeatures;
        fixed (uint* p = info)
        {
            if (EthtoolCall(fd, device, p) != 0)
                throw new NicSetupException(device, "read feature names (ETHTOOL_GSSET_INFO)", Native.ErrorText(Native.Errno));
        }
        int count = (int)info[4];
        // struct ethtool_gstrings: cmd, string_set, len, then len names of 32 bytes.
        var strings = new byte[12 + count * EthtoolStringLength];
        BitConverter.TryWriteBytes(strings.AsSpan(0), EthtoolGetStrings);
        BitConverter.TryWriteBytes(strings.AsSpan(4), StringSetFeatures);
        BitConverter.TryWriteBytes(strings.AsSpan(8), count);
        fixed (byte* p = strings)
        {
            if (EthtoolCall(fd, device, p) != 0)
                throw new NicSetupException(device, "read feature names (ETHTOOL_GSTRINGS)", Native.ErrorText(Native.Errno));
        }
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            var raw = strings.AsSpan(12 + i * EthtoolStringLength, EthtoolStringLength);
            int end = raw.IndexOf((byte)0);
            names[i] = System.Text.Encoding.ASCII.GetString(end < 0 ? raw : raw[..end]);
        }
        return names;
    }

    private static bool[] ActiveFeatures(int fd, string device, int count)
    {
        int blocks = (count + 31) / 32;
        // struct ethtool_gfeatures: cmd, size, then {available, requested, active, never_changed} per block.
        var reply = new uint[2 + 4 * blocks];
        reply[0] = EthtoolGetFeatures;
        reply[1] = (uint)blocks;
        fixed (uint* p = reply)
        {
            if (EthtoolCall(fd, device, p) != 0)
                throw new NicSetupException(device, "read features (ETHTOOL_GFEATURES)", Native.ErrorText(Native.Errno));
        }
        var active = new bool[count];
        for (int i = 0; i < count; i++)
            active[i] = (reply[2 + 4 * (i / 32) + 2] & (1u << (i % 32))) != 0;
        return active;
    }

    private static int EthtoolCall(int fd, string device, void* command)
    {
        var req = Native.IfReq.For(device);
        req.Data = command;
        // SAFETY: command points at a pinned ethtool structure sized for the command, alive for the call.
        return Native.ioctl(fd, Native.SIOCETHTOOL, &req);
    }

    private static void Ioctl(int fd, string device, ulong request, Native.IfReq* req, string step)
    {
        // SAFETY: req points at a caller-owned 40-byte ifreq, the size every SIOC*IF* request uses.
        if (Native.ioctl(fd, request, req) != 0)
            throw new NicSetupException(device, step, Native.ErrorText(Native.Errno));
    }
}
