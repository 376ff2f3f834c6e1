using System.Globalization;
using Bridge.Packets;
using Bridge.Pipeline.Core;

namespace Bridge.Pipeline.Events;

/// <summary>
/// Connection events as ASA syslog lines (<c>%BRIDGE-6-302013: Built inbound TCP connection …</c>),
/// with ASA's message ids and severities so that existing parsers and habits carry over. Both
/// sides of a bridge have the same security level, so lines list the responder side first and the
/// initiator second, the order <c>show conn</c> uses; "inbound" means the connection came in on the
/// initiator's interface.
/// </summary>
public static class AsaSyslog
{
    /// <summary>The ASA message id of an event, or 0 when ASA has no message for it (built/teardown of other protocols).</summary>
    public static int MessageId(in ConnEvent e) => e.Kind switch
    {
        ConnEventKind.Deny => 106023,
        ConnEventKind.Built => e.Key.Protocol switch { 6 => 302013, 17 => 302015, 1 or 58 => 302020, _ => 0 },
        ConnEventKind.Teardown => e.Key.Protocol switch { 6 => 302014, 17 => 302016, 1 or 58 => 302021, _ => 0 },
        _ => 0,
    };

    public static int Severity(in ConnEvent e) => e.Kind == ConnEventKind.Deny ? 4 : 6;

    /// <summary>The line without a timestamp (the journal and syslog add theirs), or null when ASA logs nothing for it.</summary>
    public static string? Format(in ConnEvent e, RuntimeSnapshot snap)
    {
        int id = MessageId(e);
        if (id == 0) return null;
        var ia = e.InitiatorIsA ? e.Key.A : e.Key.B;
        var ra = e.InitiatorIsA ? e.Key.B : e.Key.A;
        ushort ip = e.InitiatorIsA ? e.Key.PortA : e.Key.PortB;
        ushort rp = e.InitiatorIsA ? e.Key.PortB : e.Key.PortA;
        string iif = IfName(snap, e.InitiatorIf);
        string rif = IfName(snap, e.ResponderIf);
        string head = $"%BRIDGE-{Severity(e)}-{id}: ";
        string body = id switch
        {
            302013 or 302015 => $"Built inbound {Proto(e)} connection {e.FlowId} for {rif}:{ra}/{rp} ({ra}/{rp}) to {iif}:{ia}/{ip} ({ia}/{ip})",
            302014 => $"Teardown TCP connection {e.FlowId} for {rif}:{ra}/{rp} to {iif}:{ia}/{ip} duration {Duration(e.DurationNs)} bytes {e.Bytes} {Reason(e.Reason)}",
            302016 => $"Teardown UDP connection {e.FlowId} for {rif}:{ra}/{rp} to {iif}:{ia}/{ip} duration {Duration(e.DurationNs)} bytes {e.Bytes}",
            302020 => $"Built inbound {Proto(e)} connection for faddr {ia}/{ip} gaddr {ra}/0 laddr {ra}/0 type {e.IcmpType} code {e.IcmpCode}",
            302021 => $"Teardown {Proto(e)} connection for faddr {ia}/{ip} gaddr {ra}/0 laddr {ra}/0 duration {Duration(e.DurationNs)} bytes {e.Bytes}",
            _ => Deny(e, snap, ia, ip, ra, rp, iif, rif),
        };
        return head + body;
    }

    private static string Deny(in ConnEvent e, RuntimeSnapshot snap, IpAddr src, ushort sp, IpAddr dst, ushort dp, string inIf, string outIf)
    {
        string list = "";
        string hash = "0x0";
        if (e.AceIndex >= 0 && e.AceIndex < snap.Policy.AceCount)
        {
            var ace = snap.Policy.Ace(e.AceIndex);
            list = ace.ListName;
            hash = "0x" + Acl.CompiledPolicy.Fnv1a(ace.AceLine).ToString("x8", CultureInfo.InvariantCulture);
        }
        else
        {
            list = GroupFor(snap, e.InitiatorIf);
        }
        string where = e.Key.Protocol switch
        {
            6 or 17 => $"src {inIf}:{src}/{sp} dst {outIf}:{dst}/{dp}",
            1 or 58 => $"src {inIf}:{src} dst {outIf}:{dst} (type {e.IcmpType}, code {e.IcmpCode})",
            _ => $"src {inIf}:{src} dst {outIf}:{dst}",
        };
        return $"Deny {Proto(e).ToLowerInvariant()} {where} by access-group \"{list}\" [{hash}, 0x0]";
    }

    // The access-group that applies on an interface: its own, else the global one.
    private static string GroupFor(RuntimeSnapshot snap, int iface)
    {
        string nameIf = IfName(snap, iface);
        string? global = null;
        foreach (var g in snap.Config.AccessGroups)
        {
            if (g.NameIf == nameIf) return g.ListName;
            if (g.IsGlobal) global = g.ListName;
        }
        return global ?? "";
    }

    private static string Proto(in ConnEvent e) => e.Key.Protocol switch
    {
        6 => "TCP",
        17 => "UDP",
        1 => "ICMP",
        58 => "ICMPv6",
        var p => p.ToString(CultureInfo.InvariantCulture),
    };

    private static string IfName(RuntimeSnapshot snap, int iface) =>
        iface >= 0 && iface < snap.Interfaces.Count ? snap.Interfaces[iface].NameIf : "unknown";

    /// <summary>ASA's h:mm:ss.</summary>
    public static string Duration(long ns)
    {
        long s = ns / 1_000_000_000;
        return string.Create(CultureInfo.InvariantCulture, $"{s / 3600}:{s / 60 % 60:00}:{s % 60:00}");
    }

    public static string Reason(TeardownReason r) => r switch
    {
        TeardownReason.TcpFins => "TCP FINs",
        TeardownReason.TcpResetI => "TCP Reset-I",
        TeardownReason.TcpResetO => "TCP Reset-O",
        TeardownReason.ConnTimeout => "Conn-timeout",
        TeardownReason.SynTimeout => "SYN Timeout",
        TeardownReason.FinTimeout => "FIN Timeout",
        TeardownReason.Cleared => "Flow cleared by clear conn",
        TeardownReason.ClosedByInspection => "Flow closed by inspection",
        TeardownReason.Evicted => "Conn-table full eviction",
        _ => "Unknown",
    };
}
