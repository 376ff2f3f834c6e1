using System.Globalization;
using System.Text;

namespace Bridge.Pipeline.Config;

/// <summary>
/// <c>set connection</c> under <c>class class-default</c> of a policy-map: connection limits and
/// the embryonic timeout for all traffic. Zero means no limit, as on ASA.
/// </summary>
public sealed record ConnectionSettings(int ConnMax, int EmbryonicConnMax, TimeSpan? EmbryonicTimeout)
{
    public static ConnectionSettings None { get; } = new(0, 0, null);

    /// <summary>ASA's default embryonic timeout.</summary>
    public static readonly TimeSpan DefaultEmbryonicTimeout = TimeSpan.FromSeconds(30);

    public TimeSpan EffectiveEmbryonicTimeout => EmbryonicTimeout ?? DefaultEmbryonicTimeout;

    /// <summary>The <c>set connection</c> lines as ASA prints them (limits on one line, then the timeout).</summary>
    public IEnumerable<string> Lines()
    {
        if (ConnMax > 0 || EmbryonicConnMax > 0)
        {
            var sb = new StringBuilder("set connection");
            if (ConnMax > 0) sb.Append(" conn-max ").Append(ConnMax.ToString(CultureInfo.InvariantCulture));
            if (EmbryonicConnMax > 0) sb.Append(" embryonic-conn-max ").Append(EmbryonicConnMax.ToString(CultureInfo.InvariantCulture));
            yield return sb.ToString();
        }
        if (EmbryonicTimeout is { } t) yield return "set connection timeout embryonic " + ConfigText.Duration(t);
    }
}

/// <summary>
/// <c>policy-map NAME</c> with its <c>class class-default</c> settings. Bridge applies connection
/// settings to all traffic, so class-default is the only class a policy-map may hold.
/// </summary>
public sealed record PolicyMapConfig(string Name, ConnectionSettings? ClassDefault)
{
    public IEnumerable<string> Lines()
    {
        yield return "policy-map " + Name;
        if (ClassDefault is null) yield break;
        yield return " class class-default";
        foreach (var l in ClassDefault.Lines()) yield return "  " + l;
    }
}

/// <summary>The modular policy framework's part Bridge runs: policy-maps and the global service policy.</summary>
public sealed record ServicePolicyConfig(IReadOnlyList<PolicyMapConfig> PolicyMaps, string? GlobalPolicy)
{
    public static ServicePolicyConfig Empty { get; } = new([], null);

    public PolicyMapConfig? Find(string name)
    {
        foreach (var p in PolicyMaps)
        {
            if (string.Equals(p.Name, name, StringComparison.Ordinal)) return p;
        }
        return null;
    }

    /// <summary>What the data path enforces: the globally bound policy's class-default settings, or none.</summary>
    public ConnectionSettings Connection =>
        GlobalPolicy is { } g && Find(g)?.ClassDefault is { } c ? c : ConnectionSettings.None;
}
