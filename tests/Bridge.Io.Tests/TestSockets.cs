using System.Diagnostics;
using Bridge.Io.AfPacket;
using Bridge.Pipeline.Ports;

namespace Bridge.Io.Tests;

/// <summary>A plain (ring-less) AF_PACKET socket used to inject frames from the peer namespace.</summary>
internal sealed unsafe class RawSocket : IDisposable
{
    private readonly int _fd;

    public RawSocket(string ns, string device)
    {
        using (NetworkNamespace.Enter(ns))
        {
            _fd = Native.socket(Native.AF_PACKET, Native.SOCK_RAW, Native.HostToNet(Native.ETH_P_ALL));
            Assert.True(_fd >= 0, "socket");
            var addr = new Native.SockaddrLl
            {
                Family = Native.AF_PACKET,
                Protocol = Native.HostToNet(Native.ETH_P_ALL),
                IfIndex = (int)Native.if_nametoindex(device),
            };
            Assert.True(addr.IfIndex > 0, "if_nametoindex");
            Assert.Equal(0, Native.bind(_fd, &addr, (uint)sizeof(Native.SockaddrLl)));
        }
    }

    public void Send(byte[] frame)
    {
        fixed (byte* p = frame)
        {
            int n = (int)Native.send(_fd, p, (nuint)frame.Length, 0);
            if (n < 0 && Native.Errno == Native.ENETDOWN)
            {
                // A link flap left ENETDOWN pending on this socket: read it and retry.
                int error = 0;
                uint len = sizeof(int);
                Native.getsockopt(_fd, Native.SOL_SOCKET, Native.SO_ERROR, &error, &len);
                n = (int)Native.send(_fd, p, (nuint)frame.Length, 0);
            }
            Assert.Equal(frame.Length, n);
        }
    }

    /// <summary>Next test frame (tags are moved to metadata by the kernel: use it for untagged frames).</summary>
    public byte[]? ReceiveTestFrame(int timeoutMs) => ReceiveTestFrame(timeoutMs, static _ => true);

    public byte[]? ReceiveTestFrame(int timeoutMs, Func<byte[], bool> accept)
    {
        var buffer = new byte[65536];
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            var pfd = new Native.PollFd { Fd = _fd, Events = Native.POLLIN };
            if (Native.poll(&pfd, 1, (int)Math.Max(1, deadline - Environment.TickCount64)) <= 0)
                continue;
            fixed (byte* p = buffer)
            {
                int n = (int)Native.recv(_fd, p, (nuint)buffer.Length, 0);
                if (n > 0 && Frames.IsTestFrame(buffer.AsSpan(0, n)))
                {
                    var frame = buffer.AsSpan(0, n).ToArray();
                    if (accept(frame))
                        return frame;
                }
            }
        }
        return null;
    }

    public void Dispose() => Native.close(_fd);
}

/// <summary>Keeps a copy of every test frame handed over.</summary>
internal sealed class FrameCollector : IRxHandler
{
    public List<byte[]> Frames { get; } = [];

    public void OnFrame(Span<byte> frame, long timestampNs)
    {
        if (Tests.Frames.IsTestFrame(frame))
            Frames.Add(frame.ToArray());
    }

    public void Drain(IFramePort port, int expected, int timeoutMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Frames.Count < expected && Environment.TickCount64 < deadline)
            port.Receive(this, 20);
    }
}

/// <summary>tcpdump -w in a namespace, for an independent look at what reached the wire.</summary>
internal sealed class TcpdumpCapture : IDisposable
{
    private readonly Process _process;
    private readonly string _file;

    public TcpdumpCapture(string ns, string device, string filter = "ether src 02:b1:00:00:00:01")
    {
        _file = Path.Combine(Path.GetTempPath(), $"bio-{Guid.NewGuid():N}.pcap");
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "netns", "exec", ns, "tcpdump", "-Z", "root", "--immediate-mode", "-i", device, "-U", "-n", "-s", "0", "-w", _file, filter })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        // tcpdump prints "listening on" once its socket is bound; frames sent earlier would be missed.
        var line = _process.StandardError.ReadLine();
        Assert.True(line is not null && line.Contains("listening"), $"tcpdump did not start: {line}");
        _process.StandardError.ReadToEndAsync();
    }

    /// <summary>Stops tcpdump and returns the captured frames.</summary>
    public List<byte[]> Stop()
    {
        Thread.Sleep(200);
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-INT", _process.Id.ToString()]).WaitForExit();
        }
        _process.WaitForExit(5000);
        return ReadPcap(_file);
    }

    public static List<byte[]> ReadPcap(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var frames = new List<byte[]>();
        int o = 24;
        while (o + 16 <= bytes.Length)
        {
            int caplen = BitConverter.ToInt32(bytes, o + 8);
            if (o + 16 + caplen > bytes.Length)
                break;
            frames.Add(bytes.AsSpan(o + 16, caplen).ToArray());
            o += 16 + caplen;
        }
        return frames;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
        if (Environment.GetEnvironmentVariable("BIO_KEEP_PCAP") is null)
            File.Delete(_file);
    }
}
