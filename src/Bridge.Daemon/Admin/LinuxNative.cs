using System.Runtime.InteropServices;

namespace Bridge.Daemon.Admin;

/// <summary>The few libc calls the admin socket needs: peer credentials, group and user names, socket ownership.</summary>
internal static class LinuxNative
{
    public const int SOL_SOCKET = 1;
    public const int SO_PEERCRED = 17;
    public const int SO_PEERGROUPS = 59;
    public const int ERANGE = 34;

    [StructLayout(LayoutKind.Sequential)]
    public struct Ucred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int getsockopt(int fd, int level, int optname, ref Ucred value, ref int length);

    [DllImport("libc", SetLastError = true)]
    public static extern int getsockopt(int fd, int level, int optname, [Out] uint[] value, ref int length);

    [DllImport("libc")]
    public static extern uint getegid();

    [DllImport("libc", SetLastError = true)]
    public static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    private static extern int getgrnam_r([MarshalAs(UnmanagedType.LPUTF8Str)] string name, IntPtr grp, IntPtr buf, nuint buflen, out IntPtr result);

    [DllImport("libc", SetLastError = true)]
    private static extern int getpwuid_r(uint uid, IntPtr pwd, IntPtr buf, nuint buflen, out IntPtr result);

    private const int RecordSize = 128;
    private const int BufferSize = 64 * 1024;

    /// <summary>The gid of group <paramref name="name"/>, or null when there is no such group.</summary>
    public static uint? GroupId(string name)
    {
        IntPtr rec = Marshal.AllocHGlobal(RecordSize), buf = Marshal.AllocHGlobal(BufferSize);
        try
        {
            if (getgrnam_r(name, rec, buf, BufferSize, out IntPtr result) != 0 || result == IntPtr.Zero) return null;
            // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
            return (uint)Marshal.ReadInt32(result, 2 * IntPtr.Size);
        }
        finally
        {
            Marshal.FreeHGlobal(rec);
            Marshal.FreeHGlobal(buf);
        }
    }

    /// <summary>The login name of <paramref name="uid"/>, or null when it has none.</summary>
    public static string? UserName(uint uid)
    {
        IntPtr rec = Marshal.AllocHGlobal(RecordSize), buf = Marshal.AllocHGlobal(BufferSize);
        try
        {
            if (getpwuid_r(uid, rec, buf, BufferSize, out IntPtr result) != 0 || result == IntPtr.Zero) return null;
            // struct passwd starts with char *pw_name.
            return Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(result));
        }
        finally
        {
            Marshal.FreeHGlobal(rec);
            Marshal.FreeHGlobal(buf);
        }
    }
}
