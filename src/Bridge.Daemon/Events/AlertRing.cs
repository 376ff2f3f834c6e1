using Bridge.Pipeline.Events;
using Bridge.Rules.Alerts;

namespace Bridge.Daemon.Events;

/// <summary>
/// A worker's rule alerts on their way to the log: the rules engine calls <see cref="Alert"/> on
/// the worker thread, which only copies the event into a ring; <see cref="EventPump"/> formats
/// and writes it. No text is built and no I/O happens on the data path.
/// </summary>
public sealed class AlertRing() : EventRing<AlertEvent>(1024), IAlertSink
{
    public void Alert(in AlertEvent alert) => TryWrite(alert);
}
