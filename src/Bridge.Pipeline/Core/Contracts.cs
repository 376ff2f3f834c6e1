using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Core;

/// <summary>Sends frames out of physical ports. The worker's ports implement it; dry runs never call it.</summary>
public interface ITransmitter
{
    void Transmit(int physPort, ReadOnlySpan<byte> frame);

    bool IsLinkUp(int physPort);
}

/// <summary>Snort-style verdicts (ftd-reference §5.3).</summary>
public enum InspectorVerdict : byte
{
    /// <summary>(pass-packet) allow this packet.</summary>
    Pass,
    /// <summary>(block-packet) drop this packet.</summary>
    BlockPacket,
    /// <summary>(block-packet) drop this packet and answer it: TCP resets to both ends, else an ICMP unreachable to the sender (Snort's <c>reject</c>).</summary>
    Reject,
    /// <summary>(black-list) black list this flow: this and every later packet of the flow is dropped.</summary>
    BlockFlow,
    /// <summary>(fast-forward) fast forward this flow: later packets bypass the inspector.</summary>
    AllowFlow,
}

/// <summary>
/// The EXTERNAL-INSPECT hand-off: the Snort-style engine (or a test inspector) looks at a packet of
/// a flow and returns a verdict. Called on the worker thread; must not allocate on the fast path.
/// </summary>
public interface IExternalInspector
{
    /// <summary>Name shown in the trace (<c>Application: 'SNORT Inspect'</c>).</summary>
    string Application { get; }

    InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow);

    /// <summary>
    /// The rules that matched the packet just inspected, one line each (<c>1:2000:3 msg (drop)</c>),
    /// for the trace's SNORT phase. Asked only while tracing, so it may allocate.
    /// </summary>
    IReadOnlyList<string> DescribeLastMatches() => [];

    /// <summary>
    /// Writes the signature ids of the rules that raised an event on the packet just inspected
    /// into <paramref name="sids"/> and returns how many (alert captures keep those flows).
    /// Called on the worker thread: must not allocate.
    /// </summary>
    int LastAlertSids(Span<uint> sids) => 0;
}

/// <summary>
/// Where capture rings attach. Ingress sees the frame as received, egress the frame as sent on the
/// egress interface, drop every dropped frame with its reason. Null when no capture is defined.
/// </summary>
public interface ICaptureHook
{
    /// <summary>True when a capture with <c>trace</c> wants this ingress packet traced; the worker then attaches a sink.</summary>
    bool WantsTrace(ref PacketContext ctx);

    /// <summary>Offers the received frame to the captures; true when a capture is defined on the ingress interface (the trace then shows a CAPTURE phase).</summary>
    bool Ingress(ref PacketContext ctx);

    /// <summary>Offers the transmitted frame to the captures of the egress interface; true when one is defined there.</summary>
    bool Egress(ref PacketContext ctx, int egressIf, scoped ReadOnlySpan<byte> frame);

    void Dropped(ref PacketContext ctx);

    /// <summary>True when an alert capture (<c>capture NAME type alert</c>) wants to hear of rule alerts.</summary>
    bool WantsAlerts => false;

    /// <summary>The rules engine raised events (signature ids) on this packet: alert captures keep its flow.</summary>
    void Alerted(ref PacketContext ctx, scoped ReadOnlySpan<uint> sids)
    {
    }
}

/// <summary>
/// Sees each frame the EXTERNAL-INSPECT stage hands to the rules engine (not trusted, fast-forwarded
/// or earlier-dropped ones, never a dry run), just before the engine: what Snort sees, for
/// <c>capture-traffic</c>. Called on the worker thread: must copy what it keeps, never block or
/// allocate. Null when nobody listens.
/// </summary>
public interface ISnortTap
{
    void Offer(ref PacketContext ctx);
}
