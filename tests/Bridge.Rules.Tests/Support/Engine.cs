using Bridge.Rules.Alerts;
using Bridge.Rules.Inspection;
using Bridge.Pipeline.Core;

namespace Bridge.Rules.Tests.Support;

/// <summary>A rule set, one inspector and offline flow tracking; collects alerts.</summary>
internal sealed class Engine : IAlertSink
{
    private readonly OfflineFlows _flows = new(1024);
    private long _now = 1_600_000_000L * 1_000_000_000;

    public Engine(string rules, InspectorMode mode = InspectorMode.Inline)
    {
        Set = RuleSet.FromText(rules);
        Inspector = Set.CreateInspector(1024, this, mode);
    }

    public RuleSet Set { get; }
    public RuleInspector Inspector { get; }
    public List<AlertEvent> Alerts { get; } = [];

    public void Alert(in AlertEvent alert) => Alerts.Add(alert);

    /// <summary>Inspects one frame; returns the sids that alerted on it.</summary>
    public List<uint> Feed(byte[] frame, double advanceSeconds = 0.001) => Feed(frame, out _, advanceSeconds);

    public List<uint> Feed(byte[] frame, out InspectorVerdict verdict, double advanceSeconds = 0.001)
    {
        _now += (long)(advanceSeconds * 1e9);
        int before = Alerts.Count;
        verdict = _flows.Inspect(frame, _now, Inspector);
        return [.. Alerts.Skip(before).Select(a => a.Rule.Sid)];
    }

    /// <summary>A TCP handshake client → server so flow:established holds afterwards.</summary>
    public void Handshake(ushort sport = 40000, ushort dport = 80)
    {
        Feed(Frames.Tcp("", sport, dport, Bridge.Packets.TcpFlags.Syn));
        Feed(Frames.Tcp("", dport, sport, Bridge.Packets.TcpFlags.Syn | Bridge.Packets.TcpFlags.Ack, src: Frames.Server, dst: Frames.Client));
        Feed(Frames.Tcp("", sport, dport, Bridge.Packets.TcpFlags.Ack));
    }

    /// <summary>True when the single rule of the set alerts on the payload (sent on an established client→server flow).</summary>
    public static bool Matches(string options, string payload, string header = "tcp any any -> any any")
    {
        var e = new Engine($"alert {header} ({options}; sid:1;)");
        Assert.True(e.Set.Report.Rejected == 0, string.Join('\n', e.Set.Report.Rejections));
        e.Handshake();
        return e.Feed(Frames.Tcp(payload)).Count == 1;
    }

    public static bool MatchesBytes(string options, byte[] payload)
    {
        var e = new Engine($"alert tcp any any -> any any ({options}; sid:1;)");
        Assert.True(e.Set.Report.Rejected == 0, string.Join('\n', e.Set.Report.Rejections));
        return e.Feed(Frames.TcpBytes(payload)).Count == 1;
    }
}
