using Bridge.Packets;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Core;

/// <summary>
/// Everything the stages know about the packet in flight. A ref struct so that the frame can be a
/// span over ring memory; it lives on the worker's stack for one packet and allocates nothing.
/// </summary>
public ref struct PacketContext
{
    /// <summary>The wire frame, VLAN tags included. Stages may rewrite it in place.</summary>
    public Span<byte> Frame;
    public FrameInfo Info;

    /// <summary>Physical port the frame arrived on.</summary>
    public int IngressPort;
    /// <summary>Logical interface (nameif index) the frame arrived on.</summary>
    public int IngressIf;
    /// <summary>Logical egress interface; <see cref="EgressFlood"/> for all other members, <see cref="EgressUnknown"/> before the L2 lookup.</summary>
    public int EgressIf;

    public const int EgressUnknown = -1;
    public const int EgressFlood = -2;

    /// <summary>Packet time (ring or pcap timestamp), nanoseconds since the epoch.</summary>
    public long NowNs;

    /// <summary>The connection key, valid when <see cref="HasKey"/>.</summary>
    public Flows.FlowKey Key;
    public bool HasKey;
    /// <summary>The packet's source is end A of <see cref="Key"/>.</summary>
    public bool SrcIsA;

    /// <summary>Slot of the flow in the worker's flow table, -1 when none.</summary>
    public int FlowSlot;
    /// <summary>True when the packet travels responder → initiator.</summary>
    public bool FromResponder;
    /// <summary>True when FLOW-LOOKUP found the flow (the packet is not the first of its connection).</summary>
    public bool ExistingFlow;
    /// <summary>Flow id created by FLOW-CREATION for this packet (or the id a dry run would use).</summary>
    public uint NewFlowId;

    /// <summary>The packet is forwarded without a connection of its own (ICMP errors, IPv6 neighbour discovery).</summary>
    public bool Stateless;

    /// <summary>The packet ends its connection (RST, last ACK after both FINs); removed once the packet has left.</summary>
    public bool CloseFlow;

    /// <summary>ACE that permitted the first packet, -1 when none (no access-group or not an IP packet).</summary>
    public int AceIndex;
    /// <summary>Access-list action was <c>trust</c>: fast path, no inspection, no Snort hand-off.</summary>
    public bool Trusted;

    /// <summary>Why the packet was dropped; None while it is alive.</summary>
    public DropReason Drop;
    /// <summary>Whether <see cref="Drop"/> counts in the flow section of show asp drop.</summary>
    public DropSection DropSection;

    /// <summary>Attached only while tracing; null on the fast path.</summary>
    public TraceSink? Trace;

    /// <summary>Dry run (packet-tracer): run every check but transmit, learn, insert and count nothing.</summary>
    public bool DryRun;

    /// <summary>
    /// A context for one received frame, built in a single pass over a zeroed struct: only the
    /// fields whose "nothing yet" value is not zero are written (the per-packet path, where a
    /// second clearing of this ~350-byte struct was measurable).
    /// </summary>
    public PacketContext(Span<byte> frame, int ingressPort, long nowNs)
    {
        Frame = frame;
        Info.MarkLayersAbsent();
        IngressPort = ingressPort;
        IngressIf = -1;
        EgressIf = EgressUnknown;
        NowNs = nowNs;
        FlowSlot = -1;
        AceIndex = -1;
    }

    public StageResult DropFrame(DropReason reason)
    {
        Drop = reason;
        DropSection = DropSection.Frame;
        return StageResult.Drop;
    }

    public StageResult DropFlow(DropReason reason)
    {
        Drop = reason;
        DropSection = DropSection.Flow;
        return StageResult.Drop;
    }
}

public enum StageResult : byte
{
    /// <summary>Go on to the next stage.</summary>
    Continue,
    /// <summary>Stop here; <see cref="PacketContext.Drop"/> says why.</summary>
    Drop,
}
