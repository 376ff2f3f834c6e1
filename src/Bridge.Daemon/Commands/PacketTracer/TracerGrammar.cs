using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>
/// The packet-tracer syntax in the daemon's grammar (ftd-reference §4.1, issue 6 §1):
/// <code>
/// packet-tracer input IFNAME [vlan-id V] icmp SRC TYPE [CODE [ID]] [DMAC] DST [options]
/// packet-tracer input IFNAME [vlan-id V] tcp|udp SRC SPORT [DMAC] DST DPORT [options]
/// packet-tracer input IFNAME [vlan-id V] rawip SRC PROTO [DMAC] DST [options]
/// options: [vlan-id V] [tcp-flags F] [state established] [payload "TEXT" | payload-hex HEX] [detailed] [xml|json]
/// packet-tracer input IFNAME pcap FILE [force] [detailed] [xml|json]  (any order)
/// </code>
/// The tree has no shared nodes, so each optional element is a branch: the builders below
/// repeat a subtree wherever it may follow. FTD features this platform lacks are keywords whose
/// handler refuses with "not supported on this platform", so that <c>?</c> still lists them.
/// </summary>
internal static class TracerGrammar
{
    public const string ValueInterface = "ifname";
    public const string ValueVlan = "vid";
    public const string ValueSource = "src";
    public const string ValueDestination = "dst";
    public const string ValueSourcePort = "sport";
    public const string ValueDestinationPort = "dport";
    public const string ValueIcmpType = "icmp-type";
    public const string ValueIcmpCode = "icmp-code";
    public const string ValueIcmpId = "icmp-id";
    public const string ValueRawProtocol = "proto";
    public const string ValueMac = "dmac";
    public const string ValueFlags = "flags";
    public const string ValuePayloadText = "payload-text";
    public const string ValuePayloadHex = "hex";
    public const string ValueFile = "file";

    private enum Kind
    {
        Icmp,
        Tcp,
        Udp,
        Raw,
    }

    // Stages of the synthetic options, in the order they may be typed.
    private const int StageVlan = 0;
    private const int StageFlags = 1;
    private const int StageState = 2;
    private const int StagePayload = 3;
    private const int StageDetailed = 4;
    private const int StageFormat = 5;

    private static readonly string[] UnsupportedSources = ["user", "security-group", "fqdn"];
    private static readonly string[] UnsupportedPcapOptions = ["decrypted", "bypass-checks", "persist", "transmit"];

    public static void Register(GrammarNode root, CommandHandler trace, CommandHandler pcap, CommandHandler refuse)
    {
        var input = root.Keyword("packet-tracer", "Trace packet through the bridge's stages (dry run)")
            .Keyword("input", "Specify the input interface")
            .Param(ParamType.NameIf, ValueInterface, "Input interface name");
        Protocols(input, trace, refuse, vlanGiven: false);
        var vlan = input.Keyword("vlan-id", "Simulate arrival on this VLAN").Param(ParamType.Number(1, 4094), ValueVlan, "VLAN id");
        Protocols(vlan, trace, refuse, vlanGiven: true);

        input.Keyword("sctp", "SCTP (not supported on this platform)").Runs(refuse, Privilege.Monitor)
            .Param(ParamType.Line, "rest", "Arguments").Runs(refuse, Privilege.Monitor);
        var file = input.Keyword("pcap", "Replay a pcap file through a sandboxed copy of the pipeline")
            .Param(ParamType.Word, ValueFile, "pcap file (absolute, or relative to the configuration's directory)");
        PcapOptions(file, pcap, refuse, []);
    }

    private static void Protocols(GrammarNode at, CommandHandler run, CommandHandler refuse, bool vlanGiven)
    {
        var icmp = Protocol(at, "icmp", "Internet Control Message Protocol", refuse);
        var icmpType = icmp.Param(ParamType.IpAddress, ValueSource, "Source IP address")
            .Param(TracerParams.IcmpType, ValueIcmpType, "ICMP type");
        var icmpCode = icmpType.Param(ParamType.Number(0, 255), ValueIcmpCode, "ICMP code");
        var icmpId = icmpCode.Param(ParamType.Number(0, 65535), ValueIcmpId, "ICMP identifier");
        foreach (var n in new[] { icmpType, icmpCode, icmpId }) Destination(n, Kind.Icmp, run, vlanGiven);

        foreach (var (word, help, kind) in new[] { ("tcp", "Transmission Control Protocol", Kind.Tcp), ("udp", "User Datagram Protocol", Kind.Udp) })
        {
            var sport = Protocol(at, word, help, refuse)
                .Param(ParamType.IpAddress, ValueSource, "Source IP address")
                .Param(kind == Kind.Tcp ? TracerParams.TcpPort : TracerParams.UdpPort, ValueSourcePort, "Source port (number or name)");
            Destination(sport, kind, run, vlanGiven);
        }

        var proto = Protocol(at, "rawip", "Raw IP packet", refuse)
            .Param(ParamType.IpAddress, ValueSource, "Source IP address")
            .Param(TracerParams.RawProtocol, ValueRawProtocol, "IP protocol (number or name)");
        Destination(proto, Kind.Raw, run, vlanGiven);
    }

    private static GrammarNode Protocol(GrammarNode at, string word, string help, CommandHandler refuse)
    {
        var p = at.Keyword(word, help);
        Refused(p, "inline-tag", "Packet carries a Cisco metadata (SGT) tag (not supported on this platform)", refuse);
        foreach (var w in UnsupportedSources) Refused(p, w, $"Source given as {w} (not supported on this platform)", refuse);
        return p;
    }

    private static void Refused(GrammarNode at, string word, string help, CommandHandler refuse)
    {
        at.Keyword(word, help).Runs(refuse, Privilege.Monitor)
            .Param(ParamType.Line, "rest", "Arguments").Runs(refuse, Privilege.Monitor);
    }

    /// <summary>[DMAC] DST, then DPORT for TCP/UDP, then the options.</summary>
    private static void Destination(GrammarNode at, Kind kind, CommandHandler run, bool vlanGiven)
    {
        var viaMac = at.Param(TracerParams.Mac, ValueMac, "Destination MAC address (H.H.H)");
        foreach (var n in new[] { viaMac, at })
        {
            var dst = n.Param(ParamType.IpAddress, ValueDestination, "Destination IP address");
            if (kind is Kind.Tcp or Kind.Udp)
            {
                dst = dst.Param(kind == Kind.Tcp ? TracerParams.TcpPort : TracerParams.UdpPort, ValueDestinationPort, "Destination port (number or name)");
            }
            Options(dst, kind, run, vlanGiven ? StageFlags : StageVlan);
        }
    }

    /// <summary>The node ends a command; the options that may follow come in a fixed order, each at most once.</summary>
    private static void Options(GrammarNode at, Kind kind, CommandHandler run, int from)
    {
        at.Runs(run, Privilege.Monitor);
        for (int stage = from; stage <= StageFormat; stage++)
        {
            switch (stage)
            {
                case StageVlan:
                    Options(at.Keyword("vlan-id", "Simulate arrival on this VLAN").Param(ParamType.Number(1, 4094), ValueVlan, "VLAN id"), kind, run, StageFlags);
                    break;
                case StageFlags when kind == Kind.Tcp:
                    Options(at.Keyword("tcp-flags", "TCP flags (SYN,ACK / SA / 0x12)").Param(TracerParams.Flags, ValueFlags, "Flags"), kind, run, StageState);
                    break;
                case StageState:
                    Options(at.Keyword("state", "Connection state to simulate").Keyword("established", "The packet belongs to an existing connection"), kind, run, StagePayload);
                    break;
                case StagePayload:
                    at.Keyword("payload", "Packet payload as text (\"...\" with \\r \\n \\t \\\\ \\\" \\xHH), then [detailed] [xml|json]")
                        .Param(ParamType.Line, ValuePayloadText, "\"TEXT\" [detailed] [xml|json]").Runs(run, Privilege.Monitor);
                    Options(at.Keyword("payload-hex", "Packet payload as hex digits").Param(TracerParams.Hex, ValuePayloadHex, "Hex digits"), kind, run, StageDetailed);
                    break;
                case StageDetailed:
                    Options(at.Keyword("detailed", "Dump more detailed information"), kind, run, StageFormat);
                    break;
                case StageFormat:
                    at.Keyword("xml", "Output in xml format").Runs(run, Privilege.Monitor);
                    at.Keyword("json", "Output in json format").Runs(run, Privilege.Monitor);
                    break;
            }
        }
    }

    /// <summary>pcap options in any order, each once; xml and json exclude each other. Reading a file needs the admin role.</summary>
    private static void PcapOptions(GrammarNode at, CommandHandler run, CommandHandler refuse, HashSet<string> used)
    {
        at.Runs(run, Privilege.Admin);
        foreach (var (word, help) in new[] { ("force", "Replace the stored traces of an earlier replay"), ("detailed", "Dump more detailed information"), ("xml", "Output in xml format"), ("json", "Output in json format") })
        {
            if (used.Contains(word) || (word is "xml" or "json" && (used.Contains("xml") || used.Contains("json")))) continue;
            PcapOptions(at.Keyword(word, help), run, refuse, [.. used, word]);
        }
        foreach (var w in UnsupportedPcapOptions)
        {
            at.Keyword(w, $"{w} (not supported on this platform)").Runs(refuse, Privilege.Monitor)
                .Param(ParamType.Line, "rest", "Arguments").Runs(refuse, Privilege.Monitor);
        }
    }
}
