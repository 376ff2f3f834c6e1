using Bridge.Packets;
using Bridge.Pipeline.Core;

namespace Bridge.Rules.Alerts;

/// <summary>One rule event: what fired, on which packet, and what the engine did.</summary>
public readonly record struct AlertEvent(
    Rule Rule,
    long TimeNs,
    IpAddr Source,
    ushort SourcePort,
    IpAddr Destination,
    ushort DestinationPort,
    byte Protocol,
    bool HasPorts,
    int PacketLength,
    long PacketNumber,
    bool ToServer,
    bool HasFlow,
    InspectorVerdict Verdict,
    bool WouldBlock);

/// <summary>
/// Receives rule events on the worker thread. Implementations must be quick; the runner writes
/// text directly, the daemon should queue and write from another thread.
/// </summary>
public interface IAlertSink
{
    void Alert(in AlertEvent alert);
}
