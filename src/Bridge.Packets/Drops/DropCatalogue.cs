namespace Bridge.Packets;

/// <summary>One row of the asp-drop catalogue: the FTD keyword and its short label.</summary>
public readonly record struct DropInfo(DropReason Reason, string Keyword, string FrameLabel, string FlowLabel);

/// <summary>
/// The asp-drop catalogue: keyword and label for every <see cref="DropReason"/>, as FTD prints them
/// (ftd-reference §6.3). A reason can be counted in the frame section, the flow section or both;
/// the label differs between the two for some keywords (acl-drop).
/// </summary>
public static class DropCatalogue
{
    private static readonly DropInfo[] Rows = Build();

    public static DropInfo Get(DropReason reason) => Rows[(int)reason];

    public static string Keyword(DropReason reason) => Rows[(int)reason].Keyword;

    /// <summary>The label printed in <c>show asp drop</c> and in a trace's <c>Drop-reason:</c> line.</summary>
    public static string Label(DropReason reason, DropSection section = DropSection.Frame)
    {
        var row = Rows[(int)reason];
        return section == DropSection.Flow && row.FlowLabel.Length > 0 ? row.FlowLabel : row.FrameLabel;
    }

    public static IReadOnlyList<DropInfo> All => Rows;

    public static bool TryParse(string keyword, out DropReason reason)
    {
        foreach (var row in Rows)
        {
            if (row.Reason != DropReason.None && string.Equals(row.Keyword, keyword, StringComparison.Ordinal))
            {
                reason = row.Reason;
                return true;
            }
        }
        reason = DropReason.None;
        return false;
    }

    private static DropInfo[] Build()
    {
        var rows = new DropInfo[(int)DropReason.Count];
        void Add(DropReason r, string keyword, string frame, string flow = "") => rows[(int)r] = new DropInfo(r, keyword, frame, flow);

        Add(DropReason.None, "", "");
        Add(DropReason.L2Acl, "l2_acl", "FP L2 rule drop");
        Add(DropReason.L2SameLanPort, "l2_same-lan-port", "L2 Src/Dst same LAN port");
        Add(DropReason.DstL2LookupFail, "dst-l2_lookup-fail", "Dst MAC L2 Lookup Failed");
        Add(DropReason.HostMovePkt, "host-move-pkt", "FP host move packet");
        Add(DropReason.InvalidEthertype, "invalid-ethertype", "Invalid Ethertype");
        Add(DropReason.InvalidEncap, "invalid-encap", "Invalid Encapsulation");
        Add(DropReason.UnexpectedPacket, "unexpected-packet", "Unexpected packet");
        Add(DropReason.InvalidIpHeader, "invalid-ip-header", "Invalid IP header");
        Add(DropReason.InvalidIpLength, "invalid-ip-length", "Invalid IP Length");
        Add(DropReason.UnsupportedIpVersion, "unsupported-ip-version", "Unsupported IP version");
        Add(DropReason.InvalidIpOption, "invalid-ip-option", "IP option drop");
        Add(DropReason.TtlExceeded, "ttl-exceeded", "ttl exceeded");
        Add(DropReason.SpSecurityFailed, "sp-security-failed", "Slowpath security checks failed");
        Add(DropReason.SecurityFailed, "security-failed", "Early security checks failed");
        Add(DropReason.FragmentReassemblyFailed, "fragment-reassembly-failed", "Fragment reassembly failed");
        Add(DropReason.InvalidTcpHdrLength, "invalid-tcp-hdr-length", "Invalid TCP Length");
        Add(DropReason.InvalidUdpLength, "invalid-udp-length", "Invalid UDP Length");
        Add(DropReason.BadTcpCksum, "bad-tcp-cksum", "Bad TCP checksum");
        Add(DropReason.BadTcpFlags, "bad-tcp-flags", "Bad TCP flags");
        Add(DropReason.TcpReservedSet, "tcp-reserved-set", "TCP reserved flags set");
        Add(DropReason.TcpBadOptionList, "tcp-bad-option-list", "TCP option list invalid");
        Add(DropReason.TcpNotSyn, "tcp-not-syn", "First TCP packet not SYN");
        Add(DropReason.Tcp3whsFailed, "tcp-3whs-failed", "TCP failed 3 way handshake");
        Add(DropReason.TcpRstfinOoo, "tcp-rstfin-ooo", "TCP RST/FIN out of order");
        Add(DropReason.TcpSeqPastWin, "tcp-seq-past-win", "TCP packet SEQ past window");
        Add(DropReason.TcpInvalidAck, "tcp-invalid-ack", "TCP invalid ACK");
        Add(DropReason.TcpSynackOoo, "tcp-synack-ooo", "TCP SYNACK on established conn");
        Add(DropReason.TcpSynOoo, "tcp-syn-ooo", "TCP SYN on established conn");
        Add(DropReason.TcpSynData, "tcp-syn-data", "TCP SYN with data");
        Add(DropReason.TcpSynackData, "tcp-synack-data", "TCP SYNACK with data");
        Add(DropReason.TcpRstSynInWin, "tcp-rst-syn-in-win", "TCP RST/SYN in window");
        Add(DropReason.TcpDataPastFin, "tcp-data-past-fin", "TCP data send after FIN");
        Add(DropReason.AclDrop, "acl-drop", "Flow is denied by configured rule", "Flow is denied by access rule");
        Add(DropReason.ConnLimit, "conn-limit", "Connection limit reached", "Connection limit reached");
        Add(DropReason.TcpConnLimit, "tcp-conn-limit", "TCP connection limit reached");
        Add(DropReason.UnableToCreateFlow, "unable-to-create-flow", "Flow denied due to resource limitation");
        Add(DropReason.InspectIcmpSeqNumNotMatched, "inspect-icmp-seq-num-not-matched", "ICMP Inspect seq num not matched");
        Add(DropReason.InspectIcmpErrorNoExistingConn, "inspect-icmp-error-no-existing-conn", "ICMP Error Inspect no existing conn");
        Add(DropReason.InspectIcmpBadCode, "inspect-icmp-bad-code", "ICMP Inspect bad icmp code");
        Add(DropReason.InspectFail, "inspect-fail", "Inspection failure", "Inspection failure");
        Add(DropReason.SnortDrop, "snort-drop", "Snort requested to drop the frame", "Snort requested to drop the flow");
        Add(DropReason.Shunned, "shunned", "Packet shunned", "Flow shunned");
        Add(DropReason.InterfaceDown, "interface-down", "Interface is down");
        Add(DropReason.FlowExpired, "flow-expired", "Expired flow", "Expired flow");
        Add(DropReason.FlowBeingFreed, "flow-being-freed", "Flow is being freed", "Flow is being freed");
        Add(DropReason.DispatchQueueLimit, "dispatch-queue-limit", "Dispatch queue tail drops");
        Add(DropReason.RateExceeded, "rate-exceeded", "Output QoS rate exceeded");
        Add(DropReason.SnortDown, "snort-down", "Snort instance down");
        Add(DropReason.SnortBusyNotFailOpen, "snort-busy-not-fail-open", "Snort instance busy not in fail-open");
        // Not an FTD keyword: FTD has no counter for a software fault in LINA (it would crash and
        // reload). Bridge keeps forwarding and needs the lost frame counted somewhere an operator looks.
        Add(DropReason.InternalError, "internal-error", "Internal error while processing the packet");
        // Keyword not confirmed from an FTD source (ASA counts NIC-level giants in show interface);
        // our ports can hand the data path frames above the MTU, so they need a counter of their own.
        Add(DropReason.OverMtu, "over-mtu", "Packet exceeds interface MTU");

        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Keyword is null)
            {
                throw new InvalidOperationException($"DropReason {(DropReason)i} has no catalogue row");
            }
        }
        return rows;
    }
}
