using Bridge.Packets;

namespace Bridge.Pipeline.L2;

/// <summary>One row of <c>show mac-address-table</c>.</summary>
public readonly record struct MacEntry(MacAddr Mac, int Interface, long LastSeenNs);

/// <summary>
/// The bridge's MAC address table, shared by all workers (a host's frames may reach any worker).
/// Open addressing over fixed arrays; a slot is claimed with one compare-and-swap on its key, and
/// the interface and time are plain volatile writes: two workers learning the same MAC write the
/// same facts, so the race is benign and no lock is needed. Aged entries are reclaimed in place.
/// </summary>
public sealed class MacTable
{
    // Key layout: MAC in the low 48 bits, bit 63 set when the slot is claimed (a MAC can be 0).
    private const long Claimed = long.MinValue;
    private readonly long[] _keys;
    private readonly int[] _ifs;
    private readonly long[] _seen;
    private readonly int _mask;
    private const int MaxProbe = 32;

    public MacTable(int capacity = 65536)
    {
        int size = 1;
        while (size < capacity) size <<= 1;
        _keys = new long[size];
        _ifs = new int[size];
        _seen = new long[size];
        _mask = size - 1;
    }

    /// <summary>Aging time in nanoseconds (mac-address-table aging-time, default 5 minutes).</summary>
    public long AgingNs { get; set; } = 5L * 60 * 1_000_000_000;

    public long Moves => Interlocked.Read(ref _moves);
    private long _moves;

    private static int Hash(ulong mac)
    {
        ulong h = mac * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 40);
    }

    /// <summary>Looks up the interface for <paramref name="mac"/>; -1 when unknown or aged out.</summary>
    public int Lookup(MacAddr mac, long nowNs)
    {
        long key = (long)mac.Value | Claimed;
        int i = Hash(mac.Value) & _mask;
        for (int p = 0; p < MaxProbe; p++, i = (i + 1) & _mask)
        {
            long k = Volatile.Read(ref _keys[i]);
            if (k == 0) return -1;
            if (k == key)
            {
                return nowNs - Volatile.Read(ref _seen[i]) > AgingNs ? -1 : Volatile.Read(ref _ifs[i]);
            }
        }
        return -1;
    }

    /// <summary>
    /// Learns that <paramref name="mac"/> lives behind <paramref name="iface"/>. Returns the previous
    /// interface when the host moved, otherwise -1.
    /// </summary>
    public int Learn(MacAddr mac, int iface, long nowNs)
    {
        long key = (long)mac.Value | Claimed;
        int start = Hash(mac.Value) & _mask;
        int reclaim = -1;
        int i = start;
        for (int p = 0; p < MaxProbe; p++, i = (i + 1) & _mask)
        {
            long k = Volatile.Read(ref _keys[i]);
            if (k == key)
            {
                int old = Volatile.Read(ref _ifs[i]);
                bool aged = nowNs - Volatile.Read(ref _seen[i]) > AgingNs;
                Volatile.Write(ref _seen[i], nowNs);
                if (old != iface)
                {
                    Volatile.Write(ref _ifs[i], iface);
                    if (!aged)
                    {
                        Interlocked.Increment(ref _moves);
                        return old;
                    }
                }
                return -1;
            }
            if (k == 0)
            {
                break;
            }
            if (reclaim < 0 && nowNs - Volatile.Read(ref _seen[i]) > AgingNs) reclaim = i;
        }
        // Not present: claim an empty slot at the end of the probe run, or an aged one.
        for (int p = 0, j = start; p < MaxProbe; p++, j = (j + 1) & _mask)
        {
            long k = Volatile.Read(ref _keys[j]);
            if (k == 0 || j == reclaim)
            {
                if (Interlocked.CompareExchange(ref _keys[j], key, k) == k)
                {
                    Volatile.Write(ref _ifs[j], iface);
                    Volatile.Write(ref _seen[j], nowNs);
                    return -1;
                }
            }
            if (Volatile.Read(ref _keys[j]) == key)
            {
                return -1;
            }
        }
        return -1;
    }

    /// <summary>Entries not yet aged, for show mac-address-table (control plane).</summary>
    public List<MacEntry> Snapshot(long nowNs)
    {
        var list = new List<MacEntry>();
        for (int i = 0; i < _keys.Length; i++)
        {
            long k = Volatile.Read(ref _keys[i]);
            if (k == 0) continue;
            long seen = Volatile.Read(ref _seen[i]);
            if (nowNs - seen > AgingNs) continue;
            list.Add(new MacEntry(new MacAddr((ulong)k & 0xFFFF_FFFF_FFFFUL), Volatile.Read(ref _ifs[i]), seen));
        }
        return list;
    }

    /// <summary>clear mac-address-table [interface]: ages the matching entries out at once.</summary>
    public void Clear(int iface = -1)
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] != 0 && (iface < 0 || _ifs[i] == iface)) Volatile.Write(ref _seen[i], long.MinValue / 2);
        }
    }
}
