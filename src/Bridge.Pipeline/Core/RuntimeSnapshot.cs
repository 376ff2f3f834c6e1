using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Core;

/// <summary>A configured nameif: which physical port and VLAN carry it.</summary>
public sealed record LogicalInterface(int Index, string NameIf, int PhysPort, string Device, ushort Vlan, int BridgeGroup, bool Shutdown, int Mtu);

/// <summary>
/// Everything the data plane reads from the configuration, compiled once and never changed:
/// the control plane builds a new snapshot and swaps the reference, so workers see either the
/// old or the new one whole.
/// </summary>
public sealed class RuntimeSnapshot
{
    public BridgeConfig Config { get; }
    public CompiledPolicy Policy { get; }
    public IReadOnlyList<LogicalInterface> Interfaces { get; }
    /// <summary>Physical devices in port order.</summary>
    public IReadOnlyList<string> Devices { get; }
    public FlowTimeouts Timeouts { get; }
    public long MacAgingNs { get; }
    /// <summary>
    /// The global service policy's connection settings (CONN-SETTINGS): box-wide limits, 0 = none;
    /// each worker enforces its share (<see cref="DataPath.ShareOf"/>).
    /// </summary>
    public Config.ConnectionSettings Connection { get; }

    /// <summary>
    /// <see cref="Interfaces"/> as the array it is: the stages index it several times per packet,
    /// and through the interface each index is a type check and an interface call.
    /// </summary>
    internal readonly LogicalInterface[] InterfaceTable;

    /// <summary><see cref="Timeouts"/> as a field, so that the per-packet expiry check passes it by reference instead of copying it.</summary>
    internal readonly FlowTimeouts TimeoutTable;

    // Classification table: per physical port, the logical interfaces it carries.
    private readonly LogicalInterface[][] _byPort;
    // Members of each bridge group except the interface itself, for flooding.
    private readonly int[][] _peers;

    private RuntimeSnapshot(BridgeConfig config, CompiledPolicy policy, LogicalInterface[] ifs, string[] devices)
    {
        Config = config;
        Policy = policy;
        Interfaces = ifs;
        InterfaceTable = ifs;
        Devices = devices;
        Connection = config.ServicePolicy.Connection;
        var t = config.Timeouts;
        Timeouts = new FlowTimeouts(t.Conn.Ticks * 100, t.Udp.Ticks * 100, t.Icmp.Ticks * 100, t.TcpHalfClosed.Ticks * 100,
            Connection.EffectiveEmbryonicTimeout.Ticks * 100);
        TimeoutTable = Timeouts;
        MacAgingNs = config.MacAgingMinutes * 60L * 1_000_000_000;
        _byPort = new LogicalInterface[devices.Length][];
        for (int p = 0; p < devices.Length; p++)
        {
            var list = new List<LogicalInterface>();
            foreach (var li in ifs) if (li.PhysPort == p) list.Add(li);
            _byPort[p] = list.ToArray();
        }
        _peers = new int[ifs.Length][];
        for (int i = 0; i < ifs.Length; i++)
        {
            var list = new List<int>();
            foreach (var li in ifs)
            {
                if (li.Index != i && li.BridgeGroup == ifs[i].BridgeGroup) list.Add(li.Index);
            }
            _peers[i] = list.ToArray();
        }
    }

    /// <summary>
    /// Builds the snapshot. Only interfaces with a nameif take part in bridging; their devices
    /// become the physical ports in order of first appearance.
    /// </summary>
    public static RuntimeSnapshot Build(BridgeConfig config)
    {
        var devices = new List<string>();
        var ifs = new List<LogicalInterface>();
        foreach (var ic in config.Interfaces)
        {
            if (ic.NameIf is null) continue;
            int port = devices.IndexOf(ic.Device);
            if (port < 0)
            {
                port = devices.Count;
                devices.Add(ic.Device);
            }
            ifs.Add(new LogicalInterface(ifs.Count, ic.NameIf, port, ic.Device, ic.Vlan, ic.BridgeGroup, ic.Shutdown, ic.Mtu));
        }
        var names = new string[ifs.Count];
        for (int i = 0; i < names.Length; i++) names[i] = ifs[i].NameIf;
        var policy = CompiledPolicy.Build(config, names);
        return new RuntimeSnapshot(config, policy, ifs.ToArray(), devices.ToArray());
    }

    /// <summary>The nameif carried by <paramref name="physPort"/> for frames with outer VLAN <paramref name="vlan"/> (0 = untagged), or -1.</summary>
    public int Classify(int physPort, ushort vlan)
    {
        var candidates = _byPort[physPort];
        for (int i = 0; i < candidates.Length; i++)
        {
            if (candidates[i].Vlan == vlan) return candidates[i].Index;
        }
        return -1;
    }

    /// <summary>The other members of the interface's bridge group.</summary>
    public ReadOnlySpan<int> Peers(int iface) => _peers[iface];

    public int FindNameIf(string nameIf)
    {
        foreach (var li in Interfaces) if (li.NameIf == nameIf) return li.Index;
        return -1;
    }
}
