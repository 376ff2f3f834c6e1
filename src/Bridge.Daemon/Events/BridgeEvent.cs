using System.Globalization;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Events;
using Bridge.Rules.Alerts;

namespace Bridge.Daemon.Events;

/// <summary>
/// One event on its way to the outputs (journal, remote syslog, JSON file): the ASA message id,
/// its severity, the ASA text, and the same facts as named fields so that receivers can filter
/// without parsing the text. Field names are lower case (<c>src</c>, <c>dst_port</c> …); each
/// output spells them its own way (journal <c>BRIDGE_SRC</c>, RFC 5424 SD-PARAM <c>src</c>, JSON
/// key <c>src</c>). Built on the event pump's thread, never on a worker.
/// </summary>
public sealed record BridgeEvent(DateTimeOffset Time, int MessageId, int Severity, string Text, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The field's value, or null.</summary>
    public string? Field(string name)
    {
        foreach (var (k, v) in Fields)
        {
            if (k == name) return v;
        }
        return null;
    }

    /// <summary>
    /// A connection or deny event: <c>src</c> is the initiator (the denied packet's source) and
    /// <c>dst</c> the responder, whatever order the ASA text uses.
    /// </summary>
    public static BridgeEvent From(in ConnEvent e, RuntimeSnapshot snap, int messageId, string text)
    {
        var ia = e.InitiatorIsA ? e.Key.A : e.Key.B;
        var ra = e.InitiatorIsA ? e.Key.B : e.Key.A;
        ushort ip = e.InitiatorIsA ? e.Key.PortA : e.Key.PortB;
        ushort rp = e.InitiatorIsA ? e.Key.PortB : e.Key.PortA;
        bool icmp = e.Key.Protocol is 1 or 58;
        var fields = new List<KeyValuePair<string, string>>(14)
        {
            new("protocol", ProtocolName(e.Key.Protocol)),
            new("src_if", IfName(snap, e.InitiatorIf)),
            new("src", ia.ToString()),
        };
        if (!icmp) fields.Add(new("src_port", ip.ToString(Inv)));
        fields.Add(new("dst_if", IfName(snap, e.ResponderIf)));
        fields.Add(new("dst", ra.ToString()));
        if (!icmp) fields.Add(new("dst_port", rp.ToString(Inv)));
        if (icmp)
        {
            fields.Add(new("icmp_type", e.IcmpType.ToString(Inv)));
            fields.Add(new("icmp_code", e.IcmpCode.ToString(Inv)));
        }
        switch (e.Kind)
        {
            case ConnEventKind.Built:
                fields.Add(new("conn_id", e.FlowId.ToString(Inv)));
                break;
            case ConnEventKind.Teardown:
                fields.Add(new("conn_id", e.FlowId.ToString(Inv)));
                fields.Add(new("bytes", e.Bytes.ToString(Inv)));
                fields.Add(new("duration", AsaSyslog.Duration(e.DurationNs)));
                if (e.Key.Protocol == 6) fields.Add(new("reason", AsaSyslog.Reason(e.Reason)));
                break;
            case ConnEventKind.Deny:
                if (e.AceIndex >= 0 && e.AceIndex < snap.Policy.AceCount) fields.Add(new("acl", snap.Policy.Ace(e.AceIndex).ListName));
                break;
        }
        return new BridgeEvent(Moment(e.TimeNs), messageId, AsaSyslog.Severity(e), text, fields);
    }

    /// <summary>A rule alert (FTD's intrusion event, message id <see cref="EventPump.IntrusionEvent"/>), severity 4 like FTD's.</summary>
    public static BridgeEvent From(in AlertEvent a, string text)
    {
        var r = a.Rule;
        var fields = new List<KeyValuePair<string, string>>(12)
        {
            new("protocol", AlertFormat.ProtocolName(a.Protocol)),
            new("src", a.Source.ToString()),
        };
        if (a.HasPorts) fields.Add(new("src_port", a.SourcePort.ToString(Inv)));
        fields.Add(new("dst", a.Destination.ToString()));
        if (a.HasPorts) fields.Add(new("dst_port", a.DestinationPort.ToString(Inv)));
        fields.Add(new("gid", r.Gid.ToString(Inv)));
        fields.Add(new("sid", r.Sid.ToString(Inv)));
        fields.Add(new("rev", r.Rev.ToString(Inv)));
        fields.Add(new("rule_msg", r.Message));
        fields.Add(new("class", r.Classification.Length > 0 ? r.Classification : "none"));
        fields.Add(new("priority", r.Priority.ToString(Inv)));
        return new BridgeEvent(Moment(a.TimeNs), EventPump.IntrusionEvent, 4, text, fields);
    }

    private static DateTimeOffset Moment(long unixNs) =>
        unixNs > 0 ? DateTimeOffset.UnixEpoch.AddTicks(unixNs / 100) : DateTimeOffset.UtcNow;

    private static string ProtocolName(byte protocol) => protocol switch
    {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "icmp6",
        _ => protocol.ToString(Inv),
    };

    private static string IfName(RuntimeSnapshot snap, int iface) =>
        iface >= 0 && iface < snap.Interfaces.Count ? snap.Interfaces[iface].NameIf : "unknown";
}
