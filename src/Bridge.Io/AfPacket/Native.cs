using System.Runtime.InteropServices;

namespace Bridge.Io.AfPacket;

/// <summary>
/// Linux AF_PACKET ABI (linux/if_packet.h, linux/if_ether.h, sys/socket.h) and the libc calls the
/// ports use. Tmds.LibC has neither the packet-socket constants nor the TPACKET structures, and
/// its wrapper integer types make the ring arithmetic noisy, so the few calls are declared here
/// with plain blittable signatures.
/// </summary>
internal static unsafe class Native
{
    public const int AF_INET = 2;
    public const int AF_PACKET = 17;
    public const int SOCK_RAW = 3;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const ushort ETH_P_ALL = 0x0003;

    public const int SOL_SOCKET = 1;
    public const int SO_ERROR = 4;
    public const int SO_RCVBUF = 8;
    public const int SO_SNDBUF = 7;

    public const int SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1;
    public const int PACKET_RX_RING = 5;
    public const int PACKET_STATISTICS = 6;
    public const int PACKET_VERSION = 10;
    public const int PACKET_RESERVE = 12;
    public const int PACKET_FANOUT = 18;
    public const int PACKET_QDISC_BYPASS = 20;
    public const int PACKET_IGNORE_OUTGOING = 23;

    public const int PACKET_MR_PROMISC = 1;
    public const int PACKET_FANOUT_HASH = 0;
    public const int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
    public const byte PACKET_OUTGOING = 4;
    public const int EINVAL = 22;

    /// <summary>Offset of the sockaddr_ll the kernel writes after a ring frame header (TPACKET_ALIGN of the header).</summary>
    public const int Tpacket2SockaddrOffset = 32;
    public const int Tpacket3SockaddrOffset = 48;

    public const int TPACKET_V2 = 1;
    public const int TPACKET_V3 = 2;

    public const uint TP_STATUS_KERNEL = 0;
    public const uint TP_STATUS_USER = 1 << 0;
    public const uint TP_STATUS_VLAN_VALID = 1 << 4;
    public const uint TP_STATUS_VLAN_TPID_VALID = 1 << 6;

    /// <summary>Kernel TPACKET_ALIGNMENT: ring frames and headers are 16-byte aligned.</summary>
    public const int TpacketAlignment = 16;

    public const short POLLIN = 0x001;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;

    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public const int MAP_POPULATE = 0x8000;
    public static readonly nint MAP_FAILED = -1;

    public const int MSG_DONTWAIT = 0x40;

    public const int CLONE_NEWNET = 0x40000000;
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;

    public const ulong SIOCGIFFLAGS = 0x8913;
    public const ulong SIOCSIFFLAGS = 0x8914;
    public const ulong SIOCGIFMTU = 0x8921;
    public const ulong SIOCSIFMTU = 0x8922;
    public const ulong SIOCGIFHWADDR = 0x8927;
    public const ulong SIOCGIFINDEX = 0x8933;
    public const ulong SIOCETHTOOL = 0x8946;

    public const short IFF_UP = 0x1;
    public const short IFF_RUNNING = 0x40;
    public const short IFF_PROMISC = 0x100;

    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int ENODEV = 19;
    public const int EOPNOTSUPP = 95;
    public const int ENOBUFS = 105;
    public const int ENETDOWN = 100;
    public const int EMSGSIZE = 90;

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketReq
    {
        public uint BlockSize;
        public uint BlockNr;
        public uint FrameSize;
        public uint FrameNr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketReq3
    {
        public uint BlockSize;
        public uint BlockNr;
        public uint FrameSize;
        public uint FrameNr;
        public uint RetireBlockTimeoutMs;
        public uint SizeofPriv;
        public uint FeatureReqWord;
    }

    /// <summary>struct tpacket2_hdr (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tpacket2Hdr
    {
        public uint Status;
        public uint Len;
        public uint Snaplen;
        public ushort Mac;
        public ushort Net;
        public uint Sec;
        public uint Nsec;
        public ushort VlanTci;
        public ushort VlanTpid;
        public uint Padding;
    }

    /// <summary>struct tpacket3_hdr with its tpacket_hdr_variant1 (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tpacket3Hdr
    {
        public uint NextOffset;
        public uint Sec;
        public uint Nsec;
        public uint Snaplen;
        public uint Len;
        public uint Status;
        public ushort Mac;
        public ushort Net;
        public uint RxHash;
        public uint VlanTci;
        public ushort VlanTpid;
        public ushort Padding;
        public ulong Padding2;
    }

    /// <summary>struct tpacket_block_desc with tpacket_hdr_v1 (the fields the reader needs).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketBlockDesc
    {
        public uint Version;
        public uint OffsetToPriv;
        public uint BlockStatus;
        public uint NumPkts;
        public uint OffsetToFirstPkt;
        public uint BlockLen;
        public ulong SeqNum;
        public uint FirstSec;
        public uint FirstNsec;
        public uint LastSec;
        public uint LastNsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketStats
    {
        public uint Packets;
        public uint Drops;
        public uint FreezeQueueCount;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public fixed byte Addr[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PacketMreq
    {
        public int IfIndex;
        public ushort Type;
        public ushort ALen;
        public ulong Address;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    /// <summary>struct mmsghdr: a msghdr (56 bytes on LP64) followed by msg_len.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
        private readonly int _msghdrPadding;
        public uint MsgLen;
        private readonly int _mmsghdrPadding;
    }

    /// <summary>struct ifreq: a 16-byte name and a 24-byte union.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct IfReq
    {
        [FieldOffset(0)] public fixed byte Name[16];
        [FieldOffset(16)] public short Flags;
        [FieldOffset(16)] public int IntValue;
        [FieldOffset(16)] public ushort HwFamily;
        [FieldOffset(18)] public fixed byte HwAddr[14];
        [FieldOffset(16)] public void* Data;

        public static IfReq For(string device)
        {
            if (device.Length == 0 || device.Length > 15)
                throw new ArgumentException($"invalid interface name '{device}'", nameof(device));
            var req = default(IfReq);
            for (int i = 0; i < device.Length; i++)
                req.Name[i] = (byte)device[i];
            return req;
        }
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    public static extern int bind(int fd, void* addr, uint len);

    [DllImport("libc", SetLastError = true)]
    public static extern int setsockopt(int fd, int level, int name, void* value, uint len);

    [DllImport("libc", SetLastError = true)]
    public static extern int getsockopt(int fd, int level, int name, void* value, uint* len);

    [DllImport("libc", SetLastError = true)]
    public static extern nint mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [DllImport("libc", SetLastError = true)]
    public static extern int munmap(void* addr, nuint length);

    [DllImport("libc", SetLastError = true)]
    public static extern int poll(PollFd* fds, ulong nfds, int timeoutMs);

    [DllImport("libc", SetLastError = true)]
    public static extern int sendmmsg(int fd, MMsgHdr* msgs, uint vlen, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint send(int fd, void* buf, nuint len, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint recv(int fd, void* buf, nuint len, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int ioctl(int fd, ulong request, void* arg);

    [DllImport("libc", SetLastError = true)]
    public static extern uint if_nametoindex([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", SetLastError = true)]
    public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int setns(int fd, int nstype);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    public static ushort HostToNet(ushort v) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);

    public static int AlignTpacket(int v) => (v + TpacketAlignment - 1) & ~(TpacketAlignment - 1);
}
