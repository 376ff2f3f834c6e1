using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bridge.Daemon.Admin;

/// <summary>
/// Who is at the other end of an accepted Unix socket, as the kernel vouches for it
/// (<c>SO_PEERCRED</c>: pid, uid, gid at connect time), plus the process's supplementary groups
/// read from <c>/proc/PID/status</c>, which is where membership of bridge or bridge-admin shows.
/// </summary>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid, IReadOnlyList<uint> Groups, string UserName)
{
    public static PeerCredentials Read(Socket socket)
    {
        var cred = default(LinuxNative.Ucred);
        int len = Marshal.SizeOf<LinuxNative.Ucred>();
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        if (LinuxNative.getsockopt(fd, LinuxNative.SOL_SOCKET, LinuxNative.SO_PEERCRED, ref cred, ref len) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        var groups = new List<uint> { cred.Gid };
        groups.AddRange(SupplementaryGroups(cred.Pid));
        return new PeerCredentials(cred.Pid, cred.Uid, cred.Gid, groups, LinuxNative.UserName(cred.Uid) ?? cred.Uid.ToString(CultureInfo.InvariantCulture));
    }

    private static IEnumerable<uint> SupplementaryGroups(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            // The peer already exited; its primary group is all we know.
            return [];
        }
        foreach (var line in lines)
        {
            if (!line.StartsWith("Groups:", StringComparison.Ordinal)) continue;
            var result = new List<uint>();
            foreach (var g in line["Groups:".Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (uint.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out uint id)) result.Add(id);
            }
            return result;
        }
        return [];
    }
}
