using System.Globalization;
using System.Text;
using Bridge.Io.PcapFile;
using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;
using Bridge.Pipeline.Ports;
using Bridge.Pipeline.Show;
using Bridge.Pipeline.Trace;

namespace Bridge.Daemon.Replay;

/// <summary>
/// <c>bridged replay</c>: the offline data path. Two pcap-file ports stand in for the NICs; frames
/// from both files run through one worker's pipeline in timestamp order, and what the bridge
/// transmits on each side is written back as pcap files.
/// </summary>
public static class ReplayCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? config = null, inside = null, outside = null, dir = null;
        int traceCount = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--config": config = Next(); break;
                    case "--inside": inside = Next(); break;
                    case "--outside": outside = Next(); break;
                    case "--write-dir": dir = Next(); break;
                    case "--trace": traceCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    default:
                        stderr.WriteLine($"replay: unknown option '{args[i]}'");
                        return 2;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                stderr.WriteLine($"replay: {e.Message}");
                return 2;
            }
        }
        if (config is null || inside is null || dir is null)
        {
            stderr.WriteLine("replay: --config, --inside and --write-dir are required");
            return 2;
        }

        BridgeConfig cfg;
        try
        {
            cfg = BridgeConfig.Load(config);
        }
        catch (ConfigException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"replay: {e.Message}");
            return 1;
        }

        try
        {
            var result = Replay(cfg, inside, outside, dir, traceCount);
            stdout.Write(result.Summary);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            stderr.WriteLine($"replay: {e.Message}");
            return 1;
        }
    }

    /// <summary>What a replay produced.</summary>
    public sealed record ReplayResult(string Summary, DataPath Worker, long LastNs, IReadOnlyList<string> Traces);

    public static ReplayResult Replay(BridgeConfig cfg, string insidePcap, string? outsidePcap, string writeDir, int traceCount = 0, IExternalInspector? inspector = null)
    {
        var snap = RuntimeSnapshot.Build(cfg);
        int insideIf = FindSide(snap, "INSIDE", 0);
        int outsideIf = FindSide(snap, "OUTSIDE", 1);
        if (insideIf < 0 || outsideIf < 0)
        {
            throw new ArgumentException("the config needs two nameifs (INSIDE and OUTSIDE) in one bridge group");
        }
        Directory.CreateDirectory(writeDir);
        var ports = new PcapFilePort[snap.Devices.Count];
        try
        {
            for (int p = 0; p < ports.Length; p++)
            {
                string? input = p == snap.Interfaces[insideIf].PhysPort ? insidePcap
                    : p == snap.Interfaces[outsideIf].PhysPort ? outsidePcap : null;
                string side = p == snap.Interfaces[insideIf].PhysPort ? "inside" : p == snap.Interfaces[outsideIf].PhysPort ? "outside" : snap.Devices[p];
                ports[p] = new PcapFilePort(snap.Devices[p], input, Path.Combine(writeDir, side + "-tx.pcap"));
            }

            var transmitter = new PortTransmitter(ports);
            var dp = new DataPath(snap, new MacTable(), transmitter) { Inspector = inspector };
            var handler = new ReplayHandler(dp, traceCount);
            long lastNs = 0;
            while (true)
            {
                int next = -1;
                long best = long.MaxValue;
                for (int p = 0; p < ports.Length; p++)
                {
                    if (ports[p].TryPeekTimestamp(out long ts) && ts < best)
                    {
                        best = ts;
                        next = p;
                    }
                }
                if (next < 0) break;
                handler.Port = next;
                transmitter.NowNs = best;
                ports[next].Receive(handler, 0);
                lastNs = best;
                dp.Sweep(lastNs);
            }
            foreach (var port in ports) port.Flush();
            // Reap what timed out by the last frame's time, as the live sweeper would have.
            dp.Sweep(lastNs, int.MaxValue);

            var report = new StringBuilder();
            report.Append("Replayed ").Append(handler.Frames).Append(" frames (").Append(handler.Forwarded).Append(" forwarded, ")
                  .Append(handler.Dropped).Append(" dropped)\n");
            foreach (var li in snap.Interfaces)
            {
                var c = dp.Interfaces[li.Index];
                report.Append("  ").Append(li.NameIf).Append(": ").Append(c.PacketsIn).Append(" packets input, ")
                      .Append(c.PacketsOut).Append(" packets output, ").Append(c.Dropped).Append(" packets dropped\n");
            }
            report.Append('\n').Append("> show asp drop\n").Append(ShowAspDrop.Render([dp]));
            report.Append('\n').Append("> show conn\n").Append(ShowConn.Render([dp], lastNs));
            report.Append('\n').Append("> show access-list\n").Append(ShowAccessList.Render(snap.Policy, dp.AclHits));
            foreach (var t in handler.Traces) report.Append('\n').Append(t);
            string text = report.ToString();
            File.WriteAllText(Path.Combine(writeDir, "report.txt"), text);
            return new ReplayResult(text, dp, lastNs, handler.Traces);
        }
        finally
        {
            foreach (var port in ports) port?.Dispose();
        }
    }

    private static int FindSide(RuntimeSnapshot snap, string name, int fallbackOrdinal)
    {
        foreach (var li in snap.Interfaces)
        {
            if (string.Equals(li.NameIf, name, StringComparison.OrdinalIgnoreCase)) return li.Index;
        }
        return fallbackOrdinal < snap.Interfaces.Count ? fallbackOrdinal : -1;
    }

    private sealed class PortTransmitter(PcapFilePort[] ports) : ITransmitter
    {
        public long NowNs { get; set; }

        public void Transmit(int physPort, ReadOnlySpan<byte> frame)
        {
            // The frame leaves at the time the bridge received its trigger.
            ports[physPort].NowNs = NowNs;
            ports[physPort].Send(frame);
        }

        public bool IsLinkUp(int physPort) => ports[physPort].LinkUp;
    }

    private sealed class ReplayHandler(DataPath dp, int traceCount) : IRxHandler
    {
        public int Port { get; set; }
        public long Frames { get; private set; }
        public long Forwarded { get; private set; }
        public long Dropped { get; private set; }
        public List<string> Traces { get; } = new();

        public void OnFrame(Span<byte> frame, long timestampNs)
        {
            Frames++;
            TraceSink? sink = Frames <= traceCount ? new TraceSink() : null;
            var outcome = dp.Process(frame, Port, timestampNs, sink);
            if (outcome.Drop == DropReason.None) Forwarded++;
            else Dropped++;
            if (sink is not null)
            {
                Traces.Add($"Packet {Frames} ({(Port == 0 ? "first" : "second")} port, {DateTimeOffset.FromUnixTimeMilliseconds(timestampNs / 1_000_000):HH:mm:ss.fff}):\n" + TraceRenderer.Render(sink));
            }
        }
    }
}
