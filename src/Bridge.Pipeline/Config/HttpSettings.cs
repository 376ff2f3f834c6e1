using System.Globalization;
using Bridge.Packets;

namespace Bridge.Pipeline.Config;

/// <summary>
/// The HTTPS server's part of the config: <c>http server enable [PORT]</c> (<see cref="ServerPort"/>,
/// null while disabled) and the <c>http NET MASK IFNAME</c> allow-list.
/// </summary>
public sealed record HttpSettings(int? ServerPort, IReadOnlyList<HttpAccessEntry> Access)
{
    /// <summary>FTD's port; binding it needs CAP_NET_BIND_SERVICE.</summary>
    public const int DefaultPort = 443;

    public static HttpSettings Disabled { get; } = new(null, []);

    /// <summary>The first entry that admits <paramref name="source"/>, or null (the connection is refused).</summary>
    public HttpAccessEntry? Admit(IpAddr source)
    {
        foreach (var e in Access)
        {
            if (e.Contains(source)) return e;
        }
        return null;
    }
}

/// <summary>
/// One <c>http NET MASK IFNAME</c> line. <see cref="PrefixLength"/> counts bits of the network's own
/// family (0-32 for IPv4, 0-128 for IPv6); <see cref="NameIf"/> is a nameif of the config or
/// <c>management</c> (the host's own stack).
/// </summary>
public sealed record HttpAccessEntry(IpAddr Network, int PrefixLength, string NameIf)
{
    /// <summary>The IFNAME that stands for the host's own network stack rather than a bridged interface.</summary>
    public const string Management = "management";

    public bool Contains(IpAddr address)
    {
        if (address.IsV4 != Network.IsV4) return false;
        if (Network.IsV4)
        {
            uint mask = PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
            return (address.V4 & mask) == Network.V4;
        }
        return address.And(IpAddr.PrefixMask(PrefixLength)) == Network;
    }

    public string Text => Network.IsV4
        ? $"http {Network} {ConfigText.V4Mask(PrefixLength)} {NameIf}"
        : $"http {Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)} {NameIf}";
}

/// <summary>
/// One <c>username NAME password HASH encrypted privilege N</c> line: the secret is kept only as a
/// <see cref="PasswordHash"/> string. Privilege 15 may change the bridge; lower levels may only read.
/// </summary>
public sealed record UserAccount(string Name, string PasswordHash, int Privilege)
{
    /// <summary>ASA's level for a user created without <c>privilege</c>.</summary>
    public const int DefaultPrivilege = 2;

    /// <summary>The level from which a user may run state-changing commands.</summary>
    public const int AdminPrivilege = 15;

    public string Text => $"username {Name} password {PasswordHash} encrypted privilege {Privilege.ToString(CultureInfo.InvariantCulture)}";
}
