using Bridge.Io.AfPacket;

namespace Bridge.Io;

/// <summary>
/// Moves the calling thread into a named network namespace (/run/netns/NAME, as `ip netns`
/// creates them) until disposed. Sockets keep the namespace they were created in, so a port can
/// be opened inside the scope and used from any thread afterwards. Dispose on the same thread,
/// with no await in between: setns only affects the calling thread.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private int _previousFd;

    private NetworkNamespace(int previousFd) => _previousFd = previousFd;

    public static NetworkNamespace Enter(string name)
    {
        int previous = Native.open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC);
        if (previous < 0)
            throw new IOException($"netns {name}: cannot open current namespace: {Native.ErrorText(Native.Errno)}");
        int target = Native.open($"/run/netns/{name}", Native.O_RDONLY | Native.O_CLOEXEC);
        if (target < 0)
        {
            int err = Native.Errno;
            Native.close(previous);
            throw new IOException($"netns {name}: cannot open /run/netns/{name}: {Native.ErrorText(err)}");
        }
        int rc = Native.setns(target, Native.CLONE_NEWNET);
        int setErr = Native.Errno;
        Native.close(target);
        if (rc != 0)
        {
            Native.close(previous);
            throw new IOException($"netns {name}: setns failed: {Native.ErrorText(setErr)}");
        }
        return new NetworkNamespace(previous);
    }

    public void Dispose()
    {
        if (_previousFd < 0)
            return;
        int rc = Native.setns(_previousFd, Native.CLONE_NEWNET);
        int err = Native.Errno;
        Native.close(_previousFd);
        _previousFd = -1;
        if (rc != 0)
            throw new IOException($"netns: cannot return to the previous namespace: {Native.ErrorText(err)}");
    }
}
