using System.Runtime.InteropServices;
using Bridge.Io.AfPacket;
using Bridge.Pipeline.Ports;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Bridge.Io.Pcap;

/// <summary>Tuning of a <see cref="PcapPort"/>.</summary>
public sealed record PcapPortOptions
{
    /// <summary>libpcap read (block) timeout: immediate mode is off, so this bounds the latency of a quiet link.</summary>
    public int ReadTimeoutMs { get; init; } = 1;

    /// <summary>Kernel buffer (the TPACKET_V3 ring libpcap builds).</summary>
    public int BufferBytes { get; init; } = 4 << 20;

    /// <summary>Maximum frames per receive batch.</summary>
    public int RxBatch { get; init; } = 64;

    public int LinkCheckIntervalMs { get; init; } = 250;
}

/// <summary>
/// The portable port: libpcap through SharpPcap, inbound only, promiscuous. libpcap puts the VLAN
/// tag back itself. SharpPcap finds and opens the device; frames are read with pcap_next_ex
/// directly (no allocation) and copied once into a port-owned buffer, because libpcap's buffer is
/// only lent until the next read and the contract hands over a writable span.
/// libpcap has no batched send, so Send transmits at once and Flush has nothing to push.
/// </summary>
public sealed unsafe class PcapPort : IFramePort
{
    private readonly LibPcapLiveDevice _device;
    private readonly nint _pcap;
    private readonly int _selectableFd;
    private readonly int _controlFd;
    private readonly LinkProbe _link;
    private readonly byte[] _frame;
    private readonly int _rxBatch;
    private bool _disposed;

    private PcapPort(string name, int mtu, LibPcapLiveDevice device, int controlFd, PcapPortOptions options)
    {
        Name = name;
        Mtu = mtu;
        _device = device;
        _pcap = device.Handle.DangerousGetHandle();
        _selectableFd = PcapNative.pcap_get_selectable_fd(_pcap);
        _controlFd = controlFd;
        _link = new LinkProbe(controlFd, name, options.LinkCheckIntervalMs);
        _frame = GC.AllocateArray<byte>(AfPacketPort.MaxFrameFor(mtu), pinned: true);
        _rxBatch = options.RxBatch;
    }

    public string Name { get; }

    public int Mtu { get; }

    public bool LinkUp => _link.Up;

    public long RxFrames { get; private set; }

    /// <summary>Frames longer than MTU + 18 that libpcap cut at the snap length; never forwarded.</summary>
    public long RxTruncated { get; private set; }

    public long TxFrames { get; private set; }

    public long TxDropped { get; private set; }

    /// <summary>Opens <paramref name="device"/> of the calling thread's network namespace.</summary>
    public static PcapPort Open(string device, PcapPortOptions? options = null)
    {
        options ??= new PcapPortOptions();
        var nic = NicSetup.Query(device);
        // A fresh list: the shared instance is enumerated once per process, in whatever namespace that was.
        LibPcapLiveDevice? live = null;
        foreach (var candidate in LibPcapLiveDeviceList.New())
        {
            if (candidate.Name == device)
                live = candidate;
        }
        if (live is null)
            throw new IOException($"libpcap port on {device}: libpcap does not list the device");

        live.Open(new DeviceConfiguration
        {
            Mode = DeviceModes.Promiscuous,
            ReadTimeout = options.ReadTimeoutMs,
            Snaplen = AfPacketPort.MaxFrameFor(nic.Mtu),
            Immediate = false,
            BufferSize = options.BufferBytes,
        });
        int controlFd = -1;
        try
        {
            nint pcap = live.Handle.DangerousGetHandle();
            // Only frames arriving from the wire: not ours, not the host's own transmissions.
            if (PcapNative.pcap_setdirection(pcap, PcapNative.PCAP_D_IN) != 0)
                throw new IOException($"libpcap port on {device}: pcap_setdirection(PCAP_D_IN) failed: {live.LastError}");
            live.NonBlockingMode = true;
            controlFd = Native.socket(Native.AF_INET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
            if (controlFd < 0)
                throw new IOException($"libpcap port on {device}: control socket failed: {Native.ErrorText(Native.Errno)}");
            return new PcapPort(device, nic.Mtu, live, controlFd, options);
        }
        catch
        {
            if (controlFd >= 0)
                Native.close(controlFd);
            live.Close();
            throw;
        }
    }

    public int Receive(IRxHandler handler, int timeoutMs)
    {
        if (_disposed)
            return -1;
        _link.RefreshIfDue();
        int handed = ReadBatch(handler);
        if (handed > 0 || timeoutMs == 0)
            return handed;
        var pfd = new Native.PollFd { Fd = _selectableFd, Events = Native.POLLIN };
        if (Native.poll(&pfd, 1, timeoutMs) <= 0)
            return 0;
        if ((pfd.REvents & Native.POLLERR) != 0)
            _link.Invalidate();
        return ReadBatch(handler);
    }

    private int ReadBatch(IRxHandler handler)
    {
        int handed = 0;
        for (int n = 0; n < _rxBatch; n++)
        {
            // pcap_next_ex directly rather than SharpPcap's GetNextPacket, which allocates a
            // header and a timestamp object per frame (96 bytes measured).
            PcapNative.PcapPacketHeader* header;
            byte* data;
            if (PcapNative.pcap_next_ex(_pcap, &header, &data) != 1)
                break;
            int length = (int)header->CaptureLength;
            if (header->WireLength > header->CaptureLength || length > _frame.Length)
            {
                RxTruncated++;
                continue;
            }
            // SAFETY: libpcap guarantees data..data+caplen is valid until the next pcap_next_ex call.
            new ReadOnlySpan<byte>(data, length).CopyTo(_frame);
            RxFrames++;
            handed++;
            handler.OnFrame(_frame.AsSpan(0, length), header->Seconds * 1_000_000_000L + header->Microseconds * 1000);
        }
        return handed;
    }

    public bool Send(ReadOnlySpan<byte> frame)
    {
        if (_disposed || !_link.RefreshIfDue() || frame.Length > _frame.Length)
            return false;
        fixed (byte* p = frame)
        {
            // SAFETY: p is pinned for the call; pcap_sendpacket copies the frame before returning.
            if (PcapNative.pcap_sendpacket(_pcap, p, frame.Length) != 0)
            {
                TxDropped++;
                _link.Invalidate();
                return false;
            }
        }
        TxFrames++;
        return true;
    }

    public void Flush()
    {
        // pcap_sendpacket already put every frame on the wire.
    }

    public int WaitFd => _selectableFd;

    public void OnWaitError() => _link.Invalidate();

    /// <summary>
    /// Opens <paramref name="workers"/> libpcap handles on <paramref name="device"/> that share its
    /// traffic by flow hash, like <see cref="AfPacketPort.OpenFanout"/>: libpcap reads through an
    /// AF_PACKET socket, so the fanout option is set on that socket after libpcap has bound it.
    /// Element i is fanout member i.
    /// </summary>
    public static PcapPort[] OpenFanout(string device, int fanoutGroupId, int workers, PcapPortOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var ports = new PcapPort[workers];
        int opened = 0;
        try
        {
            for (; opened < workers; opened++)
            {
                ports[opened] = Open(device, options);
                int fanout = (fanoutGroupId & 0xFFFF) | (Native.PACKET_FANOUT_HASH << 16);
                if (Native.setsockopt(ports[opened]._selectableFd, Native.SOL_PACKET, Native.PACKET_FANOUT, &fanout, sizeof(int)) != 0)
                {
                    opened++;
                    throw new IOException($"libpcap port on {device}: PACKET_FANOUT group {fanoutGroupId} failed: {Native.ErrorText(Native.Errno)}");
                }
            }
            return ports;
        }
        catch
        {
            for (int i = 0; i < opened; i++)
                ports[i].Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _device.Close();
        Native.close(_controlFd);
    }
}

/// <summary>The libpcap calls SharpPcap does not wrap (or wraps with allocation).</summary>
internal static unsafe class PcapNative
{
    public const int PCAP_D_IN = 1;
    private const string Library = "pcap";

    static PcapNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(PcapNative).Assembly, static (name, assembly, path) =>
        {
            if (name != Library)
                return 0;
            foreach (var candidate in new[] { "libpcap.so.1", "libpcap.so.0.8", "libpcap.so" })
            {
                if (NativeLibrary.TryLoad(candidate, out var handle))
                    return handle;
            }
            return 0;
        });
    }

    /// <summary>struct pcap_pkthdr on LP64: struct timeval, caplen, len.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PcapPacketHeader
    {
        public long Seconds;
        public long Microseconds;
        public uint CaptureLength;
        public uint WireLength;
    }

    [DllImport(Library)]
    public static extern int pcap_next_ex(nint pcap, PcapPacketHeader** header, byte** data);

    [DllImport(Library)]
    public static extern int pcap_setdirection(nint pcap, int direction);

    [DllImport(Library)]
    public static extern int pcap_get_selectable_fd(nint pcap);

    [DllImport(Library)]
    public static extern int pcap_sendpacket(nint pcap, byte* data, int length);
}
