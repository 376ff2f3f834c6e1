using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bridge.Daemon.Tests.Export;

/// <summary>A server process started by a test on 127.0.0.1, killed (with its children) on dispose.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static ServerProcess Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var server = new ServerProcess(p);
        p.OutputDataReceived += (_, e) => server.Append(e.Data);
        p.ErrorDataReceived += (_, e) => server.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// The output once it contains <paramref name="text"/>, or as it stands after <paramref name="timeout"/>:
    /// a server logs an event (a login) on its own schedule, after the client already saw it succeed.
    /// </summary>
    public string WaitOutput(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        string output = Output;
        while (!output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < until)
        {
            Thread.Sleep(20);
            output = Output;
        }
        return output;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Append(line).Append('\n');
    }

    /// <summary>Waits until something accepts TCP connections on the port (or the process dies).</summary>
    public void WaitTcp(int port)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            using var probe = new TcpClient();
            try
            {
                probe.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"nothing listens on TCP {port}:\n{Output}");
    }

    /// <summary>Waits until a UDP socket is bound to 127.0.0.1:port (read from /proc/net/udp).</summary>
    public void WaitUdp(int port)
    {
        string local = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            if (File.ReadLines("/proc/net/udp").Any(l => l.Contains(local, StringComparison.Ordinal))) return;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"nothing bound to UDP {port}:\n{Output}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>Free high ports on 127.0.0.1, as the kernel hands them out for port 0.</summary>
internal static class FreePort
{
    public static int Tcp()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static int Udp()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}

/// <summary>A local user made for one test (login shell /bin/sh, home under the test's directory), deleted on dispose.</summary>
internal sealed class ThrowawayUser : IDisposable
{
    public ThrowawayUser(string home)
    {
        Name = "bx" + Guid.NewGuid().ToString("N")[..8];
        Password = "Pw-" + Guid.NewGuid().ToString("N")[..12];
        Home = home;
        Run("useradd", "-m", "-d", home, "-s", "/bin/sh", Name);
        var psi = new ProcessStartInfo("chpasswd") { RedirectStandardInput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write($"{Name}:{Password}\n");
        p.StandardInput.Close();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            Dispose();
            throw new InvalidOperationException("chpasswd failed");
        }
    }

    public string Name { get; }

    public string Password { get; }

    public string Home { get; }

    public void Dispose() => Run("userdel", "-f", Name);

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && file != "userdel") throw new InvalidOperationException($"{file} failed: {err}");
    }
}

/// <summary>A temporary directory that other users may traverse (servers drop to the test's user).</summary>
internal sealed class OpenDirectory : IDisposable
{
    public OpenDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary><c>tshark -r FILE</c>: the number of packets it reads, failing the test when it cannot read the file.</summary>
internal static class Tshark
{
    public static int CountPackets(string file)
    {
        var psi = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-r", file, "-T", "fields", "-e", "frame.number" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tshark -r {file} failed: {err}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
