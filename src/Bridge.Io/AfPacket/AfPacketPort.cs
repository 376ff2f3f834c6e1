using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Bridge.Pipeline.Ports;

namespace Bridge.Io.AfPacket;

/// <summary>
/// One fanout member of an interface: an AF_PACKET socket with an mmap'ed TPACKET receive ring
/// and a batched sendmmsg transmit queue. Frames are handed over in place in the ring with the
/// VLAN tag the kernel moved into ring metadata written back in front of the EtherType, so the
/// handler sees the wire frame. Used by one worker thread only.
/// </summary>
public sealed unsafe class AfPacketPort : IFramePort
{
    private const int VlanTagBytes = 4;
    private const int MacAddressesBytes = 12;
    private const int EthernetHeaderBytes = 14;
    private const ushort Tpid8021Q = 0x8100;

    // Largest header area the kernel puts in front of the MAC header: aligned tpacket3_hdr plus
    // sockaddr_ll, aligned, plus room for an in-band tag (V2 needs less).
    private const int RingHeaderRoom = 128;

    private readonly RingVersion _version;
    private readonly int _fd;
    private readonly byte* _ring;
    private readonly nuint _ringLength;
    private readonly byte*[] _slots;
    private readonly int _rxBatch;
    private readonly LinkProbe _link;

    private readonly int _maxFrame;
    private readonly byte* _txBuffer;
    private readonly Native.IoVec* _txIov;
    private readonly Native.MMsgHdr* _txMsgs;
    private readonly int _txBatch;
    private int _txQueued;

    private int _nextSlot;
    private bool _disposed;

    private AfPacketPort(string name, int ifIndex, int mtu, int fanoutGroupId, RingVersion version, int fd,
        byte* ring, nuint ringLength, byte*[] slots, AfPacketOptions options)
    {
        Name = name;
        IfIndex = ifIndex;
        Mtu = mtu;
        FanoutGroupId = fanoutGroupId;
        _version = version;
        _fd = fd;
        _ring = ring;
        _ringLength = ringLength;
        _slots = slots;
        _rxBatch = options.RxBatch;
        _link = new LinkProbe(fd, name, options.LinkCheckIntervalMs);

        _maxFrame = MaxFrameFor(mtu);
        _txBatch = options.TxBatch;
        _txBuffer = (byte*)NativeMemory.AlignedAlloc((nuint)(_txBatch * _maxFrame), 64);
        _txIov = (Native.IoVec*)NativeMemory.AllocZeroed((nuint)(_txBatch * sizeof(Native.IoVec)));
        _txMsgs = (Native.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(_txBatch * sizeof(Native.MMsgHdr)));
        for (int i = 0; i < _txBatch; i++)
        {
            _txIov[i].Base = _txBuffer + i * _maxFrame;
            _txMsgs[i].Iov = &_txIov[i];
            _txMsgs[i].IovLen = 1;
        }
    }

    public string Name { get; }

    public int IfIndex { get; }

    public int Mtu { get; }

    public int FanoutGroupId { get; }

    public RingVersion Ring => _version;

    public bool LinkUp => _link.Up;

    /// <summary>Largest frame the port carries: MTU plus Ethernet header, one VLAN tag and FCS-free slack (MTU + 18).</summary>
    public int MaxFrameBytes => _maxFrame;

    /// <summary>Frames handed to the handler.</summary>
    public long RxFrames { get; private set; }

    /// <summary>Frames the ring could not hold whole; never forwarded, since a bridge must not cut frames.</summary>
    public long RxTruncated { get; private set; }

    public long TxFrames { get; private set; }

    /// <summary>Frames accepted by Send but refused by the kernel (queue full, link down, too big).</summary>
    public long TxDropped { get; private set; }

    /// <summary>errno of the last refused transmission, for the daemon's interface status (0 = none).</summary>
    public int LastTxErrno { get; private set; }

    public static int MaxFrameFor(int mtu) => mtu + EthernetHeaderBytes + VlanTagBytes;

    /// <summary>Opens one port on <paramref name="device"/> joined to fanout group <paramref name="fanoutGroupId"/>.</summary>
    public static AfPacketPort Open(string device, int fanoutGroupId, AfPacketOptions? options = null)
    {
        options ??= new AfPacketOptions();
        var nic = NicSetup.Query(device);
        int mtu = options.Mtu > 0 ? options.Mtu : nic.Mtu;
        return OpenSocket(device, nic.IfIndex, mtu, fanoutGroupId, options);
    }

    /// <summary>
    /// Opens <paramref name="workers"/> ports sharing the traffic of <paramref name="device"/> by
    /// flow hash. Element i is fanout member i (members are numbered in join order), so worker i
    /// must take element i of every interface's array for the symmetric hash to pair its flows.
    /// </summary>
    public static AfPacketPort[] OpenFanout(string device, int fanoutGroupId, int workers, AfPacketOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var ports = new AfPacketPort[workers];
        int opened = 0;
        try
        {
            for (; opened < workers; opened++)
                ports[opened] = Open(device, fanoutGroupId, options);
            return ports;
        }
        catch
        {
            for (int i = 0; i < opened; i++)
                ports[i].Dispose();
            throw;
        }
    }

    private static AfPacketPort OpenSocket(string device, int ifIndex, int mtu, int fanoutGroupId, AfPacketOptions options)
    {
        // Protocol 0 until bind: no frame is queued before the ring and options are in place.
        int fd = Native.socket(Native.AF_PACKET, Native.SOCK_RAW | Native.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw Fail(device, "socket(AF_PACKET)");
        byte* ring = null;
        nuint ringLength = 0;
        try
        {
            int version = options.Ring == RingVersion.V3 ? Native.TPACKET_V3 : Native.TPACKET_V2;
            SetInt(fd, device, Native.PACKET_VERSION, version, "PACKET_VERSION");
            SetInt(fd, device, Native.PACKET_RESERVE, VlanTagBytes, "PACKET_RESERVE");

            int frameSize = Native.AlignTpacket(RingHeaderRoom + VlanTagBytes + MaxFrameFor(mtu));
            int blockSize;
            int blockCount;
            if (options.Ring == RingVersion.V3)
            {
                blockSize = (int)Math.Max((uint)options.BlockBytes, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)frameSize * 2));
                blockCount = Math.Max(2, options.RingBytes / blockSize);
                var req = new Native.TpacketReq3
                {
                    BlockSize = (uint)blockSize,
                    BlockNr = (uint)blockCount,
                    FrameSize = (uint)frameSize,
                    FrameNr = (uint)(blockSize / frameSize * blockCount),
                    RetireBlockTimeoutMs = (uint)options.BlockTimeoutMs,
                };
                SetOption(fd, device, Native.PACKET_RX_RING, &req, (uint)sizeof(Native.TpacketReq3), "PACKET_RX_RING (V3)");
            }
            else
            {
                // Power-of-two blocks of a few frames: the kernel allocates each block contiguously.
                blockSize = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(Environment.SystemPageSize, frameSize * 4));
                blockCount = Math.Max(2, options.RingBytes / blockSize);
                var req = new Native.TpacketReq
                {
                    BlockSize = (uint)blockSize,
                    BlockNr = (uint)blockCount,
                    FrameSize = (uint)frameSize,
                    FrameNr = (uint)(blockSize / frameSize * blockCount),
                };
                SetOption(fd, device, Native.PACKET_RX_RING, &req, (uint)sizeof(Native.TpacketReq), "PACKET_RX_RING (V2)");
            }

            ringLength = (nuint)blockSize * (nuint)blockCount;
            nint mapped = Native.mmap(null, ringLength, Native.PROT_READ | Native.PROT_WRITE,
                Native.MAP_SHARED | Native.MAP_POPULATE, fd, 0);
            if (mapped == Native.MAP_FAILED)
                throw Fail(device, "mmap of the receive ring");
            ring = (byte*)mapped;

            byte*[] slots;
            if (options.Ring == RingVersion.V3)
            {
                slots = new byte*[blockCount];
                for (int b = 0; b < blockCount; b++)
                    slots[b] = ring + (nint)b * blockSize;
            }
            else
            {
                int perBlock = blockSize / frameSize;
                slots = new byte*[perBlock * blockCount];
                for (int b = 0; b < blockCount; b++)
                    for (int f = 0; f < perBlock; f++)
                        slots[b * perBlock + f] = ring + (nint)b * blockSize + f * frameSize;
            }

            if (options.QdiscBypass)
                SetInt(fd, device, Native.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            // Our own transmissions and the host's frames leaving this device are not traffic to bridge.
            SetInt(fd, device, Native.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");

            var addr = new Native.SockaddrLl
            {
                Family = Native.AF_PACKET,
                Protocol = Native.HostToNet(Native.ETH_P_ALL),
                IfIndex = ifIndex,
            };
            if (Native.bind(fd, &addr, (uint)sizeof(Native.SockaddrLl)) != 0)
                throw Fail(device, "bind");

            var mreq = new Native.PacketMreq { IfIndex = ifIndex, Type = Native.PACKET_MR_PROMISC };
            SetOption(fd, device, Native.PACKET_ADD_MEMBERSHIP, &mreq, (uint)sizeof(Native.PacketMreq), "PACKET_ADD_MEMBERSHIP promiscuous");

            // Fanout after bind: the kernel takes the group's device and protocol from the first member.
            // The group has its own hook, so PACKET_IGNORE_OUTGOING must be asked of the group too
            // (kernels before 6.x refuse the flag; Deliver then filters PACKET_OUTGOING itself).
            int fanout = (fanoutGroupId & 0xFFFF) | ((Native.PACKET_FANOUT_HASH | Native.PACKET_FANOUT_FLAG_IGNORE_OUTGOING) << 16);
            if (Native.setsockopt(fd, Native.SOL_PACKET, Native.PACKET_FANOUT, &fanout, sizeof(int)) != 0)
            {
                if (Native.Errno != Native.EINVAL)
                    throw Fail(device, $"PACKET_FANOUT group {fanoutGroupId}");
                SetInt(fd, device, Native.PACKET_FANOUT, (fanoutGroupId & 0xFFFF) | (Native.PACKET_FANOUT_HASH << 16),
                    $"PACKET_FANOUT group {fanoutGroupId}");
            }

            return new AfPacketPort(device, ifIndex, mtu, fanoutGroupId, options.Ring, fd, ring, ringLength, slots, options);
        }
        catch
        {
            if (ring != null)
                Native.munmap(ring, ringLength);
            Native.close(fd);
            throw;
        }
    }

    /// <summary>
    /// True when at least <paramref name="percent"/> % of the receive ring (slots for V2, blocks for
    /// V3) is filled and waits for this reader. The kernel fills the ring in order from where the
    /// reader stands, so the slot that many places ahead is user-owned exactly when that many are:
    /// one status read, no syscall, no scan.
    /// </summary>
    public bool BacklogAtLeast(int percent)
    {
        if (_disposed || percent <= 0)
            return !_disposed;
        int ahead = (int)((long)_slots.Length * Math.Min(percent, 100) / 100);
        if (ahead == 0)
            ahead = 1;
        int slot = _nextSlot + ahead - 1;
        if (slot >= _slots.Length)
            slot -= _slots.Length;
        // SAFETY: _slots holds pointers into the mapped ring, valid until Dispose; both header
        // layouts start their status word where these offsets say (checked by NativeLayoutTests).
        uint status = _version == RingVersion.V3
            ? Volatile.Read(ref ((Native.TpacketBlockDesc*)_slots[slot])->BlockStatus)
            : Volatile.Read(ref ((Native.Tpacket2Hdr*)_slots[slot])->Status);
        return (status & Native.TP_STATUS_USER) != 0;
    }

    public int Receive(IRxHandler handler, int timeoutMs)
    {
        if (_disposed)
            return -1;
        _link.RefreshIfDue();
        return _version == RingVersion.V3 ? ReceiveBlock(handler, timeoutMs) : ReceiveFrames(handler, timeoutMs);
    }

    private int ReceiveFrames(IRxHandler handler, int timeoutMs)
    {
        var first = (Native.Tpacket2Hdr*)_slots[_nextSlot];
        if ((Volatile.Read(ref first->Status) & Native.TP_STATUS_USER) == 0)
        {
            // A zero timeout is a worker polling its own set of descriptors: no syscall here.
            if (timeoutMs == 0)
                return 0;
            WaitReadable(timeoutMs);
            if ((Volatile.Read(ref first->Status) & Native.TP_STATUS_USER) == 0)
                return 0;
        }

        int handed = 0;
        for (int n = 0; n < _rxBatch; n++)
        {
            var hdr = (Native.Tpacket2Hdr*)_slots[_nextSlot];
            // Acquire: the frame bytes are read only after the status says the slot is ours.
            uint status = Volatile.Read(ref hdr->Status);
            if ((status & Native.TP_STATUS_USER) == 0)
                break;
            try
            {
                if (Deliver(handler, (byte*)hdr, Native.Tpacket2SockaddrOffset, hdr->Mac, hdr->Snaplen, hdr->Len, status,
                        hdr->VlanTci, hdr->VlanTpid, hdr->Sec, hdr->Nsec))
                    handed++;
            }
            finally
            {
                // Release: the slot returns to the kernel after the handler is done with it.
                Volatile.Write(ref hdr->Status, Native.TP_STATUS_KERNEL);
                _nextSlot = _nextSlot + 1 == _slots.Length ? 0 : _nextSlot + 1;
            }
        }
        return handed;
    }

    private int ReceiveBlock(IRxHandler handler, int timeoutMs)
    {
        var block = (Native.TpacketBlockDesc*)_slots[_nextSlot];
        if ((Volatile.Read(ref block->BlockStatus) & Native.TP_STATUS_USER) == 0)
        {
            if (timeoutMs == 0)
                return 0;
            WaitReadable(timeoutMs);
            if ((Volatile.Read(ref block->BlockStatus) & Native.TP_STATUS_USER) == 0)
                return 0;
        }

        int handed = 0;
        try
        {
            uint count = block->NumPkts;
            byte* packet = (byte*)block + block->OffsetToFirstPkt;
            for (uint i = 0; i < count; i++)
            {
                var hdr = (Native.Tpacket3Hdr*)packet;
                if (Deliver(handler, packet, Native.Tpacket3SockaddrOffset, hdr->Mac, hdr->Snaplen, hdr->Len, hdr->Status,
                        (ushort)hdr->VlanTci, hdr->VlanTpid, hdr->Sec, hdr->Nsec))
                    handed++;
                packet += hdr->NextOffset;
            }
        }
        finally
        {
            Volatile.Write(ref block->BlockStatus, Native.TP_STATUS_KERNEL);
            _nextSlot = _nextSlot + 1 == _slots.Length ? 0 : _nextSlot + 1;
        }
        return handed;
    }

    private bool Deliver(IRxHandler handler, byte* frameHeader, int sockaddrOffset, ushort macOffset, uint snaplen,
        uint wireLength, uint status, ushort vlanTci, ushort vlanTpid, uint sec, uint nsec)
    {
        // SAFETY: the kernel writes a sockaddr_ll at this fixed offset after every ring frame header.
        var source = (Native.SockaddrLl*)(frameHeader + sockaddrOffset);
        if (source->PktType == Native.PACKET_OUTGOING)
            return false;
        byte* mac = frameHeader + macOffset;
        if (snaplen < wireLength || snaplen < EthernetHeaderBytes)
        {
            RxTruncated++;
            return false;
        }
        byte* start = mac;
        int length = (int)snaplen;
        if ((status & Native.TP_STATUS_VLAN_VALID) != 0)
        {
            // SAFETY: PACKET_RESERVE left VlanTagBytes of headroom between sockaddr_ll and the MAC header in this slot.
            start = mac - VlanTagBytes;
            new ReadOnlySpan<byte>(mac, MacAddressesBytes).CopyTo(new Span<byte>(start, MacAddressesBytes));
            ushort tpid = (status & Native.TP_STATUS_VLAN_TPID_VALID) != 0 ? vlanTpid : Tpid8021Q;
            var tag = new Span<byte>(start + MacAddressesBytes, VlanTagBytes);
            BinaryPrimitives.WriteUInt16BigEndian(tag, tpid);
            BinaryPrimitives.WriteUInt16BigEndian(tag.Slice(2), vlanTci);
            length += VlanTagBytes;
        }
        RxFrames++;
        // SAFETY: start..start+length lies inside the slot the kernel handed to us, which stays ours until released.
        handler.OnFrame(new Span<byte>(start, length), sec * 1_000_000_000L + nsec);
        return true;
    }

    private void WaitReadable(int timeoutMs)
    {
        var pfd = new Native.PollFd { Fd = _fd, Events = Native.POLLIN | Native.POLLERR };
        int rc = Native.poll(&pfd, 1, timeoutMs);
        if (rc <= 0)
            return;
        if ((pfd.REvents & (Native.POLLERR | Native.POLLHUP)) != 0)
            OnWaitError();
    }

    public int WaitFd => _fd;

    public void OnWaitError()
    {
        // The kernel reports ENETDOWN through sk_err when the device goes down; reading
        // SO_ERROR clears it so the next poll waits again instead of spinning.
        ClearSocketError();
        _link.Invalidate();
    }

    private int ClearSocketError()
    {
        int error = 0;
        uint len = sizeof(int);
        Native.getsockopt(_fd, Native.SOL_SOCKET, Native.SO_ERROR, &error, &len);
        return error;
    }

    public bool Send(ReadOnlySpan<byte> frame)
    {
        if (_disposed || !_link.RefreshIfDue() || frame.Length > _maxFrame || frame.Length < EthernetHeaderBytes)
            return false;
        if (_txQueued == _txBatch)
            Flush();
        var slot = new Span<byte>(_txIov[_txQueued].Base, _maxFrame);
        frame.CopyTo(slot);
        _txIov[_txQueued].Len = (nuint)frame.Length;
        _txQueued++;
        return true;
    }

    public void Flush()
    {
        int queued = _txQueued;
        int next = 0;
        bool retried = false;
        while (next < queued)
        {
            int rc = Native.sendmmsg(_fd, _txMsgs + next, (uint)(queued - next), Native.MSG_DONTWAIT);
            if (rc > 0)
            {
                TxFrames += rc;
                next += rc;
                continue;
            }
            int errno = Native.Errno;
            LastTxErrno = errno;
            if (errno == Native.EINTR)
                continue;
            if (errno == Native.EMSGSIZE)
            {
                // Only this frame is refused (larger than the device takes); the rest can still go.
                TxDropped++;
                next++;
                continue;
            }
            if (errno == Native.ENETDOWN || errno == Native.ENXIO || errno == Native.ENODEV)
            {
                // A link flap leaves ENETDOWN pending on the socket and the next send reports it
                // even though the link is back: clear it and retry once if the link is up.
                _link.Invalidate();
                if (!retried && ClearSocketError() != 0 && _link.Refresh())
                {
                    retried = true;
                    continue;
                }
            }
            // Queue full (EAGAIN/ENOBUFS) or link gone: a bridge drops rather than stalls the worker.
            TxDropped += queued - next;
            break;
        }
        _txQueued = 0;
    }

    /// <summary>Kernel counters since the previous call: frames that reached the socket and frames dropped for a full ring.</summary>
    public (long Packets, long Drops) ReadKernelStatistics()
    {
        var stats = default(Native.TpacketStats);
        uint len = (uint)sizeof(Native.TpacketStats);
        if (Native.getsockopt(_fd, Native.SOL_PACKET, Native.PACKET_STATISTICS, &stats, &len) != 0)
            throw Fail(Name, "PACKET_STATISTICS");
        return (stats.Packets, stats.Drops);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Native.munmap(_ring, _ringLength);
        Native.close(_fd);
        NativeMemory.AlignedFree(_txBuffer);
        NativeMemory.Free(_txIov);
        NativeMemory.Free(_txMsgs);
    }

    private static void SetInt(int fd, string device, int option, int value, string what) =>
        SetOption(fd, device, option, &value, sizeof(int), what);

    private static void SetOption(int fd, string device, int option, void* value, uint length, string what)
    {
        if (Native.setsockopt(fd, Native.SOL_PACKET, option, value, length) != 0)
            throw Fail(device, what);
    }

    private static IOException Fail(string device, string what) =>
        new($"AF_PACKET port on {device}: {what} failed: {Native.ErrorText(Native.Errno)}");
}
