using System.Text;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;

namespace Bridge.Pipeline.Show;

/// <summary>
/// <c>show conn [detail | count]</c> (ftd-reference §7.1). Both ends of a bridged connection have
/// the same security level, so the order FTD uses for unequal levels does not apply; we print the
/// responder side first, which is what FTD shows for the usual inside-initiated connection.
/// </summary>
public static class ShowConn
{
    /// <summary>The table; <paramref name="filter"/> (address, protocol) selects rows, the header still counts every connection.</summary>
    public static string Render(IReadOnlyList<DataPath> workers, long nowNs, bool detail = false, Predicate<Flow>? filter = null)
    {
        var flows = Collect(workers, out int mostUsed);
        var snap = workers[0].Snapshot;
        var sb = new StringBuilder();
        sb.Append(flows.Count).Append(" in use, ").Append(mostUsed).Append(" most used\n");
        if (detail)
        {
            sb.Append("Flags: A - awaiting responder ACK to SYN, a - awaiting initiator ACK to SYN,\n");
            sb.Append("       F - initiator FIN, f - responder FIN, I - inbound data, N - inspected by Snort,\n");
            sb.Append("       O - outbound data, R - initiator acknowledged FIN, r - responder acknowledged FIN,\n");
            sb.Append("       s - awaiting responder SYN, U - up\n\n");
        }
        if (filter is not null) flows.RemoveAll(f => !filter(f));
        flows.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var f in flows)
        {
            string proto = Proto(f.Key.Protocol);
            string rIf = IfName(snap, f.ResponderIf);
            string iIf = IfName(snap, f.InitiatorIf);
            long idleNs = Math.Max(0, nowNs - f.LastNs);
            if (!detail)
            {
                sb.Append(proto).Append(' ').Append(rIf).Append(' ').Append(Addr(f.ResponderAddr)).Append(':').Append(f.ResponderPort)
                  .Append(' ').Append(iIf).Append(' ').Append(Addr(f.InitiatorAddr)).Append(':').Append(f.InitiatorPort)
                  .Append(", idle ").Append(Hms(idleNs)).Append(", bytes ").Append(f.Bytes).Append(", flags ").Append(Flags(f)).Append('\n');
            }
            else
            {
                sb.Append(proto).Append(' ').Append(rIf).Append(": ").Append(Addr(f.ResponderAddr)).Append('/').Append(f.ResponderPort)
                  .Append(' ').Append(iIf).Append(": ").Append(Addr(f.InitiatorAddr)).Append('/').Append(f.InitiatorPort).Append(",\n");
                long timeoutNs = snap.Timeouts.For(f);
                sb.Append("    flags ").Append(Flags(f)).Append(", idle ").Append(Short(idleNs)).Append(", uptime ").Append(Short(nowNs - f.CreatedNs))
                  .Append(", timeout ").Append(Short(timeoutNs)).Append(", bytes ").Append(f.Bytes).Append('\n');
                sb.Append("  Initiator: ").Append(Addr(f.InitiatorAddr)).Append(", Responder: ").Append(Addr(f.ResponderAddr)).Append('\n');
                sb.Append("  Connection lookup keyid: ").Append(f.Id).Append('\n');
            }
        }
        return sb.ToString();
    }

    public static string RenderCount(IReadOnlyList<DataPath> workers)
    {
        var flows = Collect(workers, out _);
        return $"{flows.Count} in use, {MostUsed(workers)} most used\n";
    }

    private static int MostUsed(IReadOnlyList<DataPath> workers)
    {
        int m = 0;
        foreach (var w in workers) m += w.Flows.MostUsed;
        return m;
    }

    private static List<Flow> Collect(IReadOnlyList<DataPath> workers, out int mostUsed)
    {
        var flows = new List<Flow>();
        foreach (var w in workers) w.Flows.CopyTo(flows);
        mostUsed = Math.Max(MostUsed(workers), flows.Count);
        return flows;
    }

    private static string IfName(RuntimeSnapshot snap, int i) => i >= 0 && i < snap.Interfaces.Count ? snap.Interfaces[i].NameIf : "-";

    private static string Addr(IpAddr a) => a.ToString();

    public static string Proto(byte p) => p switch
    {
        IpProtocol.Tcp => "TCP",
        IpProtocol.Udp => "UDP",
        IpProtocol.Icmp => "ICMP",
        IpProtocol.IcmpV6 => "ICMPv6",
        IpProtocol.Gre => "GRE",
        IpProtocol.Esp => "ESP",
        IpProtocol.Ah => "AH",
        IpProtocol.Sctp => "SCTP",
        _ => p.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>ASA connection flag letters (8.3+ initiator/responder legend).</summary>
    public static string Flags(in Flow f)
    {
        var sb = new StringBuilder();
        if (f.Key.Protocol == IpProtocol.Tcp)
        {
            switch (f.Tcp)
            {
                case TcpState.SynSent: sb.Append("saA"); break;
                case TcpState.SynReceived: sb.Append('A'); break;
                default:
                    sb.Append('U');
                    if (f.Responder.SentData) sb.Append('I');
                    if (f.Initiator.SentData) sb.Append('O');
                    if (f.Initiator.SawFin) sb.Append('F');
                    if (f.Responder.SawFin) sb.Append('f');
                    if (f.Initiator.FinAcked) sb.Append('r');
                    if (f.Responder.FinAcked) sb.Append('R');
                    break;
            }
        }
        if (f.SnortInspected) sb.Append(sb.Length > 0 ? " N1" : "N1");
        return sb.Length == 0 ? "-" : sb.ToString();
    }

    /// <summary>H:MM:SS as ASA prints idle times.</summary>
    public static string Hms(long ns)
    {
        long s = ns / 1_000_000_000;
        return $"{s / 3600}:{s / 60 % 60:D2}:{s % 60:D2}";
    }

    /// <summary>1h2m3s style, as show conn detail prints durations.</summary>
    public static string Short(long ns)
    {
        long s = Math.Max(0, ns / 1_000_000_000);
        if (s == 0) return "0s";
        var sb = new StringBuilder();
        if (s >= 3600) sb.Append(s / 3600).Append('h');
        if (s % 3600 >= 60) sb.Append(s / 60 % 60).Append('m');
        if (s % 60 > 0) sb.Append(s % 60).Append('s');
        return sb.ToString();
    }
}
