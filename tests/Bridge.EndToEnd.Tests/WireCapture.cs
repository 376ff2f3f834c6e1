using System.Diagnostics;

namespace Bridge.EndToEnd.Tests;

/// <summary>tcpdump on one wire of the lab, as the oracle for what really crossed it.</summary>
public sealed class WireCapture : IDisposable
{
    private readonly LiveLab _lab;
    private readonly string _host;
    private readonly string _file;
    private readonly Process _tcpdump;

    public WireCapture(LiveLab lab, string host, string device, string filter)
    {
        _lab = lab;
        _host = host;
        _file = $"/tmp/{lab.Prefix}{device}-{Guid.NewGuid().ToString("N")[..6]}.pcap";
        _tcpdump = lab.Start(host, ["tcpdump", "-i", device, "-nn", "-U", "--immediate-mode", "-s", "256", "-w", _file, .. filter.Split(' ')]);
        // tcpdump says "listening on" once its socket is bound: frames after that are seen.
        long deadline = Environment.TickCount64 + 10_000;
        string line;
        while ((line = _tcpdump.StandardError.ReadLine() ?? throw new InvalidOperationException("tcpdump exited: " + _tcpdump.StandardError.ReadToEnd()))
               .IndexOf("listening on", StringComparison.Ordinal) < 0)
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException("tcpdump did not start");
        }
    }

    /// <summary>Stops the capture and returns tcpdump's one-line decode of each frame, link headers included.</summary>
    public string[] Stop()
    {
        if (!_tcpdump.HasExited)
        {
            // SIGINT lets tcpdump flush and close the file.
            LiveLab.Run("kill", ["-INT", _tcpdump.Id.ToString()], TimeSpan.FromSeconds(5));
            if (!_tcpdump.WaitForExit(5000))
                _tcpdump.Kill();
        }
        Summary = _tcpdump.StandardError.ReadToEnd().Trim();
        var read = LiveLab.Run("tcpdump", ["-nn", "-e", "-r", _file], TimeSpan.FromSeconds(30)).EnsureSuccess();
        return read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>tcpdump's closing words ("N packets captured ..."), for failure messages.</summary>
    public string Summary { get; private set; } = "";

    public void Dispose()
    {
        if (!_tcpdump.HasExited)
            _tcpdump.Kill();
        _tcpdump.Dispose();
        File.Delete(_file);
    }
}
