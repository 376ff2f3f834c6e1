using Bridge.Daemon.Commands;

namespace Bridge.Daemon.Admin;

/// <summary>Maps the peer of an admin connection to what it may do. Injectable so tests can grant roles to a throwaway uid.</summary>
public interface IAdminRolePolicy
{
    AdminRole RoleFor(PeerCredentials peer);
}

/// <summary>
/// The default policy: root and members of <c>bridge-admin</c> may change state; members of
/// <c>bridge</c> may show. Group ids are looked up per connection, so a group created after the
/// daemon started counts.
/// </summary>
public sealed class GroupRolePolicy : IAdminRolePolicy
{
    public const string AdminGroup = "bridge-admin";
    public const string MonitorGroup = "bridge";

    public AdminRole RoleFor(PeerCredentials peer)
    {
        if (peer.Uid == 0) return AdminRole.Admin;
        if (LinuxNative.GroupId(AdminGroup) is { } admin && peer.Groups.Contains(admin)) return AdminRole.Admin;
        if (LinuxNative.GroupId(MonitorGroup) is { } monitor && peer.Groups.Contains(monitor)) return AdminRole.Monitor;
        return AdminRole.None;
    }
}
