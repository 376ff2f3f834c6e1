using System.Globalization;
using System.Text;

namespace Bridge.Pipeline.Config;

/// <summary>
/// The whole running configuration, immutable. Built only by <see cref="Parse"/>, which either
/// returns a complete, validated config or throws <see cref="ConfigException"/>.
/// Two configs are equal when their canonical text (<see cref="ToText"/>) is equal: that text
/// prints every field, so it is a complete canonical form.
/// </summary>
public sealed class BridgeConfig : IEquatable<BridgeConfig>
{
    public const string DefaultHostname = "firepower";
    public const int DefaultMacAgingMinutes = 5;
    /// <summary>Where Prometheus scrapes unless the config says otherwise (loopback: metrics are not for the world by default).</summary>
    public const string DefaultMetricsListen = "127.0.0.1:9477";

    /// <summary>Sections accepted by <see cref="ToText"/> (<c>show running-config SECTION</c>).</summary>
    public static IReadOnlyList<string> Sections { get; } =
        ["hostname", "interface", "object", "object-group", "access-list", "access-group", "timeout", "mac-address-table", "metrics", "snort", "username", "http", "logging", "policy-map", "service-policy"];

    internal BridgeConfig(
        string hostname,
        IReadOnlyList<InterfaceConfig> interfaces,
        IReadOnlyList<NetworkObject> networkObjects,
        IReadOnlyList<ServiceObject> serviceObjects,
        IReadOnlyList<NetworkGroup> networkGroups,
        IReadOnlyList<ServiceGroup> serviceGroups,
        IReadOnlyList<AccessListConfig> accessLists,
        IReadOnlyList<AccessGroupConfig> accessGroups,
        TimeoutConfig timeouts,
        int macAgingMinutes,
        MetricsEndpoint? metricsListen,
        IReadOnlyList<string> snortRules,
        SnortMode snortMode,
        HttpSettings? http = null,
        IReadOnlyList<UserAccount>? users = null,
        LoggingSettings? logging = null)
    {
        Hostname = hostname;
        Interfaces = interfaces;
        NetworkObjects = networkObjects;
        ServiceObjects = serviceObjects;
        NetworkGroups = networkGroups;
        ServiceGroups = serviceGroups;
        AccessLists = accessLists;
        AccessGroups = accessGroups;
        Timeouts = timeouts;
        MacAgingMinutes = macAgingMinutes;
        MetricsListen = metricsListen;
        SnortRules = snortRules;
        SnortMode = snortMode;
        Http = http ?? HttpSettings.Disabled;
        Users = users ?? [];
        Logging = logging ?? LoggingSettings.Off;
    }

    public static BridgeConfig Empty { get; } = Parse("", "empty");

    public string Hostname { get; }
    public IReadOnlyList<InterfaceConfig> Interfaces { get; }
    public IReadOnlyList<NetworkObject> NetworkObjects { get; }
    public IReadOnlyList<ServiceObject> ServiceObjects { get; }
    public IReadOnlyList<NetworkGroup> NetworkGroups { get; }
    public IReadOnlyList<ServiceGroup> ServiceGroups { get; }
    /// <summary>Access-lists in order of first appearance.</summary>
    public IReadOnlyList<AccessListConfig> AccessLists { get; }
    public IReadOnlyList<AccessGroupConfig> AccessGroups { get; }
    public TimeoutConfig Timeouts { get; }
    public int MacAgingMinutes { get; }

    /// <summary><c>snort rules PATH</c> lines in order: rule files or folders for the SNORT stage (none: no rules engine).</summary>
    public IReadOnlyList<string> SnortRules { get; }

    public SnortMode SnortMode { get; }

    /// <summary><c>snort fail-open</c> or <c>snort fail-close</c> (the default, not printed).</summary>
    public SnortFailPolicy SnortFailPolicy { get; init; }

    /// <summary><c>policy-map</c> blocks and <c>service-policy NAME global</c>: connection limits and the embryonic timeout.</summary>
    public ServicePolicyConfig ServicePolicy { get; init; } = ServicePolicyConfig.Empty;

    /// <summary><c>metrics listen ADDRESS:PORT</c>; null after <c>no metrics listen</c>.</summary>
    public MetricsEndpoint? MetricsListen { get; }

    /// <summary>The HTTPS server: <c>http server enable [PORT]</c> and the <c>http NET MASK IFNAME</c> allow-list.</summary>
    public HttpSettings Http { get; }

    /// <summary>The event outputs: <c>logging enable</c>, <c>logging trap</c>, <c>logging host</c>, <c>logging file json</c>.</summary>
    public LoggingSettings Logging { get; }

    /// <summary><c>username</c> lines in order, passwords hashed.</summary>
    public IReadOnlyList<UserAccount> Users { get; }

    public UserAccount? FindUser(string name)
    {
        foreach (var u in Users)
        {
            if (string.Equals(u.Name, name, StringComparison.Ordinal)) return u;
        }
        return null;
    }

    public static BridgeConfig Parse(string text, string fileName = "bridge.conf") => ConfigParser.Parse(text, fileName);

    public static BridgeConfig Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Case-sensitive, like FTD nameifs.</summary>
    public InterfaceConfig? FindByNameIf(string nameIf)
    {
        foreach (var i in Interfaces)
        {
            if (string.Equals(i.NameIf, nameIf, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return null;
    }

    public AccessListConfig? FindAccessList(string name)
    {
        foreach (var l in AccessLists)
        {
            if (l.Name == name)
            {
                return l;
            }
        }
        return null;
    }

    public NetworkObject? FindNetworkObject(string name) => Find(NetworkObjects, name, o => o.Name);

    public ServiceObject? FindServiceObject(string name) => Find(ServiceObjects, name, o => o.Name);

    public NetworkGroup? FindNetworkGroup(string name) => Find(NetworkGroups, name, o => o.Name);

    public ServiceGroup? FindServiceGroup(string name) => Find(ServiceGroups, name, o => o.Name);

    private static T? Find<T>(IReadOnlyList<T> items, string name, Func<T, string> key) where T : class
    {
        foreach (var i in items)
        {
            if (key(i) == name)
            {
                return i;
            }
        }
        return null;
    }

    /// <summary>
    /// <c>show running-config [section]</c> in ASA form. Without a section the text starts with
    /// <c>: Saved</c> and separates blocks with <c>!</c>; it parses back to an equal config.
    /// </summary>
    public string ToText(string? section = null)
    {
        if (section is not null && !Sections.Contains(section))
        {
            throw new ArgumentException($"unknown running-config section '{section}' (one of: {string.Join(", ", Sections)})", nameof(section));
        }
        var sb = new StringBuilder();
        bool all = section is null;
        if (all)
        {
            sb.Append(": Saved\n:\n");
        }
        if (all || section == "hostname")
        {
            sb.Append("hostname ").Append(Hostname).Append('\n');
            Separator(sb, all);
        }
        if (all || section == "interface")
        {
            foreach (var i in Interfaces)
            {
                AppendInterface(sb, i);
                Separator(sb, true);
            }
        }
        if (all || section == "object")
        {
            foreach (var o in NetworkObjects)
            {
                sb.Append("object network ").Append(o.Name).Append('\n');
                sb.Append(' ').Append(ConfigText.NetworkObjectBody(o.Value)).Append('\n');
                AppendDescription(sb, o.Description);
            }
            foreach (var o in ServiceObjects)
            {
                sb.Append("object service ").Append(o.Name).Append('\n');
                sb.Append(" service ").Append(ConfigText.Service(o.Service)).Append('\n');
                AppendDescription(sb, o.Description);
            }
            Separator(sb, all && (NetworkObjects.Count + ServiceObjects.Count) > 0);
        }
        if (all || section == "object-group")
        {
            foreach (var g in NetworkGroups)
            {
                sb.Append("object-group network ").Append(g.Name).Append('\n');
                AppendDescription(sb, g.Description);
                foreach (var m in g.Members)
                {
                    sb.Append(' ').Append(ConfigText.NetworkGroupMember(m)).Append('\n');
                }
            }
            foreach (var g in ServiceGroups)
            {
                sb.Append("object-group service ").Append(g.Name);
                if (g.Protocol is { } p)
                {
                    sb.Append(' ').Append(ConfigText.PortGroupKeyword(p));
                }
                sb.Append('\n');
                AppendDescription(sb, g.Description);
                foreach (var m in g.Members)
                {
                    sb.Append(' ').Append(ConfigText.ServiceGroupMember(m, g.Protocol)).Append('\n');
                }
            }
            Separator(sb, all && (NetworkGroups.Count + ServiceGroups.Count) > 0);
        }
        if (all || section == "access-list")
        {
            foreach (var l in AccessLists)
            {
                foreach (var line in l.Lines)
                {
                    sb.Append(ConfigText.Line(l.Name, line)).Append('\n');
                }
            }
            Separator(sb, all && AccessLists.Count > 0);
        }
        if (all || section == "access-group")
        {
            foreach (var g in AccessGroups)
            {
                sb.Append(g.Text).Append('\n');
            }
            Separator(sb, all && AccessGroups.Count > 0);
        }
        if (all || section == "timeout")
        {
            sb.Append("timeout conn ").Append(ConfigText.Duration(Timeouts.Conn)).Append('\n');
            sb.Append("timeout udp ").Append(ConfigText.Duration(Timeouts.Udp)).Append('\n');
            sb.Append("timeout icmp ").Append(ConfigText.Duration(Timeouts.Icmp)).Append('\n');
            sb.Append("timeout tcp-half-closed ").Append(ConfigText.Duration(Timeouts.TcpHalfClosed)).Append('\n');
            Separator(sb, all);
        }
        if (all || section == "policy-map")
        {
            foreach (var map in ServicePolicy.PolicyMaps)
            {
                foreach (var line in map.Lines()) sb.Append(line).Append('\n');
                Separator(sb, all);
            }
        }
        if (all || section == "service-policy")
        {
            if (ServicePolicy.GlobalPolicy is { } g)
            {
                sb.Append("service-policy ").Append(g).Append(" global\n");
                Separator(sb, all);
            }
        }
        if (all || section == "mac-address-table")
        {
            sb.Append("mac-address-table aging-time ").Append(MacAgingMinutes.ToString(CultureInfo.InvariantCulture)).Append('\n');
            Separator(sb, all);
        }
        if (all || section == "snort")
        {
            foreach (var r in SnortRules) sb.Append("snort rules ").Append(r).Append('\n');
            if (SnortMode == SnortMode.InlineTap) sb.Append("snort mode inline-tap\n");
            if (SnortFailPolicy == SnortFailPolicy.FailOpen) sb.Append("snort fail-open\n");
            if (all && (SnortRules.Count > 0 || SnortMode != SnortMode.Inline || SnortFailPolicy != SnortFailPolicy.FailClose)) Separator(sb, all);
        }
        if (all || section == "metrics")
        {
            sb.Append(MetricsListen is { } m ? "metrics listen " + m : "no metrics listen").Append('\n');
            Separator(sb, all);
        }
        if (all || section == "username")
        {
            foreach (var u in Users) sb.Append(u.Text).Append('\n');
            Separator(sb, all && Users.Count > 0);
        }
        if (all || section == "http")
        {
            if (Http.ServerPort is { } port)
            {
                sb.Append("http server enable");
                if (port != HttpSettings.DefaultPort) sb.Append(' ').Append(port.ToString(CultureInfo.InvariantCulture));
                sb.Append('\n');
            }
            foreach (var e in Http.Access) sb.Append(e.Text).Append('\n');
            Separator(sb, all && (Http.ServerPort is not null || Http.Access.Count > 0));
        }
        if (all || section == "logging")
        {
            bool any = false;
            foreach (var line in Logging.Lines())
            {
                sb.Append(line).Append('\n');
                any = true;
            }
            Separator(sb, all && any);
        }
        return sb.ToString();
    }

    private static void AppendInterface(StringBuilder sb, InterfaceConfig i)
    {
        sb.Append("interface ").Append(i.Name).Append('\n');
        // ASA writes an interface's description first, an object's last.
        AppendDescription(sb, i.Description);
        if (i.Vlan != 0)
        {
            sb.Append(" vlan ").Append(i.Vlan.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        if (i.NameIf is not null)
        {
            sb.Append(" nameif ").Append(i.NameIf).Append('\n');
        }
        if (i.BridgeGroup != 0)
        {
            sb.Append(" bridge-group ").Append(i.BridgeGroup.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        if (i.Mtu != InterfaceConfig.DefaultMtu)
        {
            sb.Append(" mtu ").Append(i.Mtu.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        if (i.Driver != PortDriver.AfPacket)
        {
            sb.Append(" port-driver ").Append(ConfigText.DriverKeyword(i.Driver)).Append('\n');
        }
        if (i.Shutdown)
        {
            sb.Append(" shutdown\n");
        }
    }

    private static void AppendDescription(StringBuilder sb, string? description)
    {
        if (description is not null)
        {
            sb.Append(" description ").Append(description).Append('\n');
        }
    }

    private static void Separator(StringBuilder sb, bool wanted)
    {
        if (wanted)
        {
            sb.Append("!\n");
        }
    }

    public bool Equals(BridgeConfig? other) =>
        other is not null && (ReferenceEquals(this, other) || string.Equals(ToText(), other.ToText(), StringComparison.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as BridgeConfig);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToText());
}
