namespace Bridge.Rules.Matching;

/// <summary>
/// A rule's header reduced to what decides most candidates, packed in one array indexed like the
/// rules: the port maps to test (null = not tested) and whether the address fields match every
/// address. The candidate loop reads this instead of the scattered <see cref="Rule"/> and
/// <see cref="PortSet"/> objects, and only rules with real address lists pay for the full test.
/// </summary>
internal readonly struct HeaderGate
{
    private readonly ulong[]? _sourcePorts;
    private readonly ulong[]? _destinationPorts;
    private readonly bool _bidirectional;

    public HeaderGate(Rule r)
    {
        // Ports count for TCP/UDP rules and for ip rules mapped onto a port list (Snort 3 services).
        bool portsApply = r.Protocol is RuleProtocol.Tcp or RuleProtocol.Udp || !r.DestinationPorts.IsAny;
        _sourcePorts = portsApply && !r.SourcePorts.IsAny ? r.SourcePorts.Bits : null;
        _destinationPorts = portsApply && !r.DestinationPorts.IsAny ? r.DestinationPorts.Bits : null;
        _bidirectional = r.Bidirectional;
        AddressesAny = r.Source.IsAny && r.Destination.IsAny;
    }

    /// <summary>Both address fields match every address: the port test decides the header alone.</summary>
    public bool AddressesAny { get; }

    /// <summary>
    /// The port part of the header test (either direction for <c>&lt;&gt;</c>); always true for
    /// packets without ports. Exactly the header test when <see cref="AddressesAny"/>.
    /// </summary>
    public bool PortsMatch(bool ports, ushort sp, ushort dp)
    {
        if (!ports) return true;
        if (Has(_sourcePorts, sp) && Has(_destinationPorts, dp)) return true;
        return _bidirectional && Has(_sourcePorts, dp) && Has(_destinationPorts, sp);
    }

    private static bool Has(ulong[]? bits, ushort port) => bits is null || (bits[port >> 6] & (1UL << (port & 63))) != 0;
}
