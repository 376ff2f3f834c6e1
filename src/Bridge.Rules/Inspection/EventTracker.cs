using Bridge.Packets;
using Bridge.Rules.Options;

namespace Bridge.Rules.Inspection;

/// <summary>
/// Counters for threshold / event_filter / detection_filter, keyed by (rule, tracked address), in
/// a fixed open-addressing table (no allocation). When a probe run is full the entry whose window
/// started longest ago is reused: it is the one least likely to still matter. Counts are per
/// worker, as each worker sees its own flows.
/// </summary>
internal sealed class EventTracker
{
    private const int Probe = 8;

    private struct Entry
    {
        public int Rule;     // rule index + 1; 0 = empty
        public bool Detection;
        public IpAddr Address;
        public long WindowStartNs;
        public int Count;
    }

    private readonly Entry[] _entries;
    private readonly int _mask;

    public EventTracker(int capacityPowerOfTwo = 1 << 14)
    {
        _entries = new Entry[capacityPowerOfTwo];
        _mask = capacityPowerOfTwo - 1;
    }

    /// <summary>Counts one event and says whether the filter lets it through.</summary>
    public bool Allow(int rule, EventFilter f, IpAddr address, long nowNs, bool commit)
    {
        ref Entry e = ref Find(rule, f.Kind == FilterKind.Detection, address, nowNs);
        long window = f.Seconds * 1_000_000_000L;
        int count = e.Count;
        long start = e.WindowStartNs;
        if (count == 0 || nowNs - start >= window)
        {
            start = nowNs;
            count = 0;
        }
        count++;
        bool allow;
        switch (f.Kind)
        {
            case FilterKind.Limit:
                allow = count <= f.Count;
                break;
            case FilterKind.Threshold:
                allow = count >= f.Count;
                if (allow) count = 0;
                break;
            case FilterKind.Both:
                allow = count == f.Count;
                break;
            default:
                allow = count > f.Count;
                break;
        }
        if (commit)
        {
            e.WindowStartNs = start;
            // A threshold that fired restarts its count but keeps the window it fired in.
            e.Count = f.Kind == FilterKind.Threshold && allow ? 0 : count;
            if (f.Kind == FilterKind.Threshold && allow) e.WindowStartNs = start;
        }
        return allow;
    }

    private ref Entry Find(int rule, bool detection, IpAddr address, long nowNs)
    {
        int h = (int)((uint)HashCode.Combine(rule, detection, address.Hi, address.Lo) & _mask);
        int victim = h;
        long oldest = long.MaxValue;
        for (int i = 0; i < Probe; i++)
        {
            int s = (h + i) & _mask;
            ref Entry e = ref _entries[s];
            if (e.Rule == rule + 1 && e.Detection == detection && e.Address == address) return ref e;
            if (e.Rule == 0)
            {
                e.Rule = rule + 1;
                e.Detection = detection;
                e.Address = address;
                e.Count = 0;
                e.WindowStartNs = nowNs;
                return ref e;
            }
            if (e.WindowStartNs < oldest)
            {
                oldest = e.WindowStartNs;
                victim = s;
            }
        }
        ref Entry v = ref _entries[victim];
        v.Rule = rule + 1;
        v.Detection = detection;
        v.Address = address;
        v.Count = 0;
        v.WindowStartNs = nowNs;
        return ref v;
    }
}
