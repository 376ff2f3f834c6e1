using Bridge.Rules.Matching;
using Bridge.Rules.Options;

namespace Bridge.Rules;

/// <summary>Rule actions, in Snort's default evaluation order (pass before drop before alert before log).</summary>
public enum RuleAction : byte
{
    Pass,
    Drop,
    Sdrop,
    Reject,
    Block,
    Alert,
    Log,
}

/// <summary>The protocol field of a rule header; <see cref="Ip"/> matches every IP packet.</summary>
public enum RuleProtocol : byte
{
    Ip,
    Tcp,
    Udp,
    Icmp,
}

/// <summary>How a rule's thresholding counts events.</summary>
public enum TrackBy : byte
{
    Source,
    Destination,
}

/// <summary>
/// One compiled rule: header, identity, and the detection options in rule order. Immutable once
/// the rule set is built; all per-packet state lives in <see cref="Evaluation"/>.
/// </summary>
public sealed class Rule
{
    public required RuleAction Action { get; init; }
    public required RuleProtocol Protocol { get; init; }
    public required AddressSet Source { get; init; }
    public required PortSet SourcePorts { get; init; }
    public required AddressSet Destination { get; init; }
    public required PortSet DestinationPorts { get; init; }
    public required bool Bidirectional { get; init; }

    public required uint Gid { get; init; }
    public required uint Sid { get; init; }
    public required uint Rev { get; init; }
    public required string Message { get; init; }
    public required string Classtype { get; init; }
    /// <summary>Classification text from classification.config, empty when the rule has no classtype.</summary>
    public required string Classification { get; init; }
    public required int Priority { get; init; }
    public required IReadOnlyList<string> References { get; init; }
    public required IReadOnlyList<string> Metadata { get; init; }
    /// <summary>Snort 3 <c>service</c> names (or the service of a service header).</summary>
    public required IReadOnlyList<string> Services { get; init; }

    /// <summary>Detection options in rule order; evaluated left to right with backtracking.</summary>
    internal DetectionOption[] Detection { get; init; } = [];
    /// <summary>The content whose pattern feeds the multi-pattern matcher; null for rules without content.</summary>
    internal ContentOption? FastPattern { get; init; }
    internal FlowOption? Flow { get; init; }
    /// <summary>flowbits set/setx/unset/toggle, applied when the whole rule matched.</summary>
    internal FlowbitsOption[] FlowbitChanges { get; init; } = [];
    /// <summary>flowbits noalert: the rule only changes flow state.</summary>
    public required bool NoAlert { get; init; }
    internal EventFilter? Threshold { get; init; }
    internal EventFilter? DetectionFilter { get; init; }
    public required TagSpec? Tag { get; init; }

    /// <summary>Where the rule was read (file:line), for messages.</summary>
    public required string Origin { get; init; }

    /// <summary>Index in the compiled rule set; set once when the set is built.</summary>
    public int Index { get; internal set; }

    public bool Blocks => Action is RuleAction.Drop or RuleAction.Sdrop or RuleAction.Reject or RuleAction.Block;

    /// <summary>
    /// False when an <c>ip_proto</c> test of the rule fails for every packet of the given IP
    /// protocols: an <c>ip</c> rule for protocol 41 need not be a candidate for TCP packets.
    /// </summary>
    internal bool AllowsIpProtocol(ReadOnlySpan<byte> protocols)
    {
        foreach (var option in Detection)
        {
            if (option is not FieldTestOption { Field: PacketField.IpProto } test) continue;
            bool any = false;
            foreach (byte p in protocols) any |= test.Range.Test(p);
            if (!any) return false;
        }
        return true;
    }

    /// <summary>Runs detection options from <paramref name="index"/> on; content-like options call back here for the rest.</summary>
    internal bool MatchFrom(ref Evaluation e, int index) =>
        index == Detection.Length || Detection[index].Match(ref e, this, index + 1);

    public override string ToString() => $"[{Gid}:{Sid}:{Rev}] {Message}";
}

/// <summary>Snort <c>tag</c>: log the following packets of the session or host.</summary>
public sealed record TagSpec(bool Session, int Count, string Metric, bool? TrackSource);
