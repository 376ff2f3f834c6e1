using Bridge.Packets;

namespace Bridge.Pipeline.Stages.FlowLookup;

/// <summary>
/// Remembers the ports of recent first fragments so that later fragments (which carry no L4
/// header) find the same connection. A small direct-mapped table per worker; a collision simply
/// forgets the older datagram, whose remaining fragments are then dropped.
/// </summary>
public sealed class FragmentMap
{
    private struct Entry
    {
        public IpAddr Src;
        public IpAddr Dst;
        public uint Id;
        public byte Protocol;
        public bool Used;
        public ushort SrcPort;
        public ushort DstPort;
        public long SeenNs;
    }

    private readonly Entry[] _entries;
    private readonly int _mask;
    /// <summary>How long later fragments may trail the first one (ASA's default reassembly timeout is 5 s).</summary>
    private const long TimeoutNs = 5L * 1_000_000_000;

    public FragmentMap(int size = 1024)
    {
        _entries = new Entry[size];
        _mask = size - 1;
    }

    private int Index(in FrameInfo info) =>
        (int)((info.FragmentId * 2654435761u) ^ (uint)info.SrcIp.Lo ^ (uint)(info.DstIp.Lo << 7)) & _mask;

    public void Remember(in FrameInfo info, ushort srcPort, ushort dstPort, long nowNs)
    {
        ref var e = ref _entries[Index(info)];
        e.Src = info.SrcIp;
        e.Dst = info.DstIp;
        e.Id = info.FragmentId;
        e.Protocol = info.Protocol;
        e.SrcPort = srcPort;
        e.DstPort = dstPort;
        e.SeenNs = nowNs;
        e.Used = true;
    }

    public bool TryGet(in FrameInfo info, long nowNs, out ushort srcPort, out ushort dstPort)
    {
        ref var e = ref _entries[Index(info)];
        if (e.Used && e.Id == info.FragmentId && e.Protocol == info.Protocol && e.Src == info.SrcIp && e.Dst == info.DstIp && nowNs - e.SeenNs <= TimeoutNs)
        {
            srcPort = e.SrcPort;
            dstPort = e.DstPort;
            return true;
        }
        srcPort = dstPort = 0;
        return false;
    }
}
