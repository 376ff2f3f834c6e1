using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bridge.Daemon.Admin;

/// <summary>
/// Who is at the other end of an accepted Unix socket, as the kernel vouches for it at connect
/// time: <c>SO_PEERCRED</c> (pid, uid, gid) and <c>SO_PEERGROUPS</c> (supplementary groups, where
/// membership of bridge or bridge-admin shows). Not /proc/PID/status: the unit's
/// ProtectProc=invisible hides other users' processes from the daemon, and the peer may be gone.
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
        groups.AddRange(SupplementaryGroups(fd));
        return new PeerCredentials(cred.Pid, cred.Uid, cred.Gid, groups, LinuxNative.UserName(cred.Uid) ?? cred.Uid.ToString(CultureInfo.InvariantCulture));
    }

    private static uint[] SupplementaryGroups(int fd)
    {
        var buffer = new uint[32];
        while (true)
        {
            int len = buffer.Length * sizeof(uint);
            if (LinuxNative.getsockopt(fd, LinuxNative.SOL_SOCKET, LinuxNative.SO_PEERGROUPS, buffer, ref len) == 0)
            {
                return buffer[..(len / sizeof(uint))];
            }
            int errno = Marshal.GetLastPInvokeError();
            // ERANGE: the kernel wrote the size it needs into len.
            if (errno != LinuxNative.ERANGE || len <= buffer.Length * sizeof(uint))
            {
                throw new SocketException(errno);
            }
            buffer = new uint[len / sizeof(uint)];
        }
    }
}
