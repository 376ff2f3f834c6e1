using System.Runtime.CompilerServices;
using Bridge.Packets;

namespace Bridge.Pipeline.Stages.FlowLookup;

/// <summary>What <see cref="FragmentMap.Admit"/> decided about one fragment.</summary>
public enum FragmentVerdict : byte
{
    /// <summary>Forward it; the ports are those of the first fragment.</summary>
    Accepted,
    /// <summary>A later fragment whose first fragment was not seen (or was forgotten).</summary>
    NoFirstFragment,
    /// <summary>Its bytes overlap bytes already forwarded (teardrop), or its datagram already failed.</summary>
    Overlap,
    /// <summary>It ends past 65535 bytes (ping of death) or a middle piece is not a multiple of 8.</summary>
    BadGeometry,
    /// <summary>The datagram arrived in more disjoint pieces than are tracked.</summary>
    TooFragmented,
}

/// <summary>
/// Remembers the ports of recent first fragments so that later fragments (which carry no L4
/// header) find the same connection, and the byte ranges already forwarded so that an
/// overlapping fragment is dropped instead of letting the receiver pick which copy of the bytes
/// to believe (teardrop, and the overlap evasions RFC 5722 forbids). Once a datagram has
/// overlapped, its remaining fragments are dropped too. A small direct-mapped table per worker;
/// a collision simply forgets the older datagram, whose remaining fragments are then dropped.
/// </summary>
public sealed class FragmentMap
{
    /// <summary>Disjoint received ranges kept per datagram; in-order pieces merge into one.</summary>
    private const int MaxRanges = 4;
    private const int MaxDatagram = 65535;

    [InlineArray(MaxRanges)]
    private struct Ranges
    {
        // Start in the high 16 bits, end (exclusive) in the low 16 bits.
        private uint _first;
    }

    private struct Entry
    {
        public IpAddr Src;
        public IpAddr Dst;
        public uint Id;
        public byte Protocol;
        public bool Used;
        public bool Failed;
        public byte RangeCount;
        public ushort SrcPort;
        public ushort DstPort;
        public long SeenNs;
        public Ranges Ranges;
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

    private static bool Same(in Entry e, in FrameInfo info, long nowNs) =>
        e.Used && e.Id == info.FragmentId && e.Protocol == info.Protocol && e.Src == info.SrcIp && e.Dst == info.DstIp && nowNs - e.SeenNs <= TimeoutNs;

    /// <summary>
    /// Checks one fragment (<paramref name="info"/>.IsFragment) against its datagram and, when
    /// <paramref name="record"/>, remembers it. A first fragment brings the ports (<paramref name="srcPort"/>,
    /// <paramref name="dstPort"/> in); a later one gets them back (out). A dry run passes
    /// <paramref name="record"/> false, so tracing never changes what later fragments meet.
    /// </summary>
    public FragmentVerdict Admit(in FrameInfo info, long nowNs, bool record, ref ushort srcPort, ref ushort dstPort)
    {
        int start = info.FragmentOffset;
        int end = start + FragmentBytes(info);
        if (end > MaxDatagram || (info.MoreFragments && (end - start) % 8 != 0))
        {
            return FragmentVerdict.BadGeometry;
        }
        ref var e = ref _entries[Index(info)];
        bool known = Same(e, info, nowNs);
        if (!known)
        {
            if (start != 0) return FragmentVerdict.NoFirstFragment;
            if (record)
            {
                e = default;
                e.Src = info.SrcIp;
                e.Dst = info.DstIp;
                e.Id = info.FragmentId;
                e.Protocol = info.Protocol;
                e.Used = true;
                e.SrcPort = srcPort;
                e.DstPort = dstPort;
                e.SeenNs = nowNs;
                e.Ranges[0] = Pack(start, end);
                e.RangeCount = 1;
            }
            return FragmentVerdict.Accepted;
        }
        if (e.Failed) return FragmentVerdict.Overlap;
        srcPort = e.SrcPort;
        dstPort = e.DstPort;

        // Ranges are disjoint and sorted; find where [start, end) goes and whether it touches a neighbour.
        int count = e.RangeCount;
        int at = 0;
        while (at < count && End(e.Ranges[at]) <= start) at++;
        if (at < count && Start(e.Ranges[at]) < end)
        {
            if (record) e.Failed = true;
            return FragmentVerdict.Overlap;
        }
        bool joinsLeft = at > 0 && End(e.Ranges[at - 1]) == start;
        bool joinsRight = at < count && Start(e.Ranges[at]) == end;
        if (!joinsLeft && !joinsRight && count == MaxRanges)
        {
            return FragmentVerdict.TooFragmented;
        }
        if (!record) return FragmentVerdict.Accepted;

        if (joinsLeft && joinsRight)
        {
            e.Ranges[at - 1] = Pack(Start(e.Ranges[at - 1]), End(e.Ranges[at]));
            for (int i = at; i + 1 < count; i++) e.Ranges[i] = e.Ranges[i + 1];
            e.RangeCount--;
        }
        else if (joinsLeft)
        {
            e.Ranges[at - 1] = Pack(Start(e.Ranges[at - 1]), end);
        }
        else if (joinsRight)
        {
            e.Ranges[at] = Pack(start, End(e.Ranges[at]));
        }
        else
        {
            for (int i = count; i > at; i--) e.Ranges[i] = e.Ranges[i - 1];
            e.Ranges[at] = Pack(start, end);
            e.RangeCount++;
        }
        return FragmentVerdict.Accepted;
    }

    /// <summary>
    /// The fragment's share of the datagram. For a first fragment it is counted from the
    /// transport header, which for IPv6 leaves out extension headers after the fragment header:
    /// an underestimate, so it can miss an overlap into them but never invent one.
    /// </summary>
    private static int FragmentBytes(in FrameInfo info)
    {
        int dataStart = info.L4Offset >= 0 ? info.L4Offset : info.PayloadOffset;
        return info.L3Offset + info.IpTotalLength - dataStart;
    }

    private static uint Pack(int start, int end) => ((uint)start << 16) | (uint)end;

    private static int Start(uint range) => (int)(range >> 16);

    private static int End(uint range) => (int)(range & 0xFFFF);
}
