using Bridge.Io.AfPacket;
using Bridge.Pipeline.Ports;

namespace Bridge.Io;

/// <summary>
/// Sleeps until any of a worker's ports has frames, in one poll over all their descriptors, so a
/// worker owning members of both interfaces never waits on one while the other has traffic.
/// Allocates once; <see cref="Wait"/> allocates nothing.
/// </summary>
public sealed unsafe class PortWaiter
{
    private readonly IFramePort[] _ports;
    private readonly Native.PollFd[] _fds;
    private readonly int[] _portOf;
    private readonly int _count;

    public PortWaiter(IFramePort[] ports)
    {
        _ports = ports;
        _fds = GC.AllocateArray<Native.PollFd>(ports.Length, pinned: true);
        _portOf = new int[ports.Length];
        for (int p = 0; p < ports.Length; p++)
        {
            int fd = ports[p].WaitFd;
            if (fd < 0)
                continue;
            _fds[_count] = new Native.PollFd { Fd = fd, Events = Native.POLLIN };
            _portOf[_count++] = p;
        }
    }

    /// <summary>Returns when a port is readable, reported an error (handed to the port), or after <paramref name="timeoutMs"/>.</summary>
    public void Wait(int timeoutMs)
    {
        if (_count == 0)
        {
            // Ports without a descriptor (pcap files) are never idle for long; do not spin.
            Thread.Sleep(1);
            return;
        }
        for (int i = 0; i < _count; i++)
            _fds[i].REvents = 0;
        // SAFETY: _fds is a pinned array holding _count initialised entries.
        fixed (Native.PollFd* pfd = _fds)
        {
            if (Native.poll(pfd, (ulong)_count, timeoutMs) <= 0)
                return;
        }
        for (int i = 0; i < _count; i++)
        {
            if ((_fds[i].REvents & (Native.POLLERR | Native.POLLHUP)) != 0)
                _ports[_portOf[i]].OnWaitError();
        }
    }
}
