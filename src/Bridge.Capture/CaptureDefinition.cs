using System.Text;
using Bridge.Packets;

namespace Bridge.Capture;

/// <summary>What a capture records: frames on an interface, or frames the data path dropped.</summary>
public enum CaptureType : byte
{
    RawData,
    AspDrop,
    /// <summary>Beyond FTD: the packets of flows that raised a rule alert, including those seen just before it.</summary>
    Alert,
}

/// <summary>
/// One capture as configured (ftd-reference §1.1): immutable, replaced whole when a later
/// <c>capture NAME ...</c> adds parameters. Defaults and ranges are FTD's (§1.2).
/// </summary>
public sealed record CaptureDefinition
{
    public const int DefaultBuffer = 524288;
    public const int MinBuffer = 1534;
    public const int MaxBuffer = 33554432;
    public const int DefaultPacketLength = 1518;
    public const int MinPacketLength = 14;
    public const int MaxPacketLength = 9216;
    public const int DefaultTraceCount = 50;
    public const int MaxTraceCount = 1000;

    public required string Name { get; init; }
    public CaptureType Type { get; init; } = CaptureType.RawData;
    /// <summary>For asp-drop captures: the one drop keyword recorded, or null for <c>all</c>.</summary>
    public DropReason? DropFilter { get; init; }
    /// <summary>For alert captures: only flows that alerted on this sid (null: any rule).</summary>
    public uint? AlertSid { get; init; }
    public string? AccessList { get; init; }
    public int Buffer { get; init; } = DefaultBuffer;
    public EthernetTypeFilter? EthernetType { get; init; }
    public string? Interface { get; init; }
    public int PacketLength { get; init; } = DefaultPacketLength;
    public bool Circular { get; init; }
    public bool HeadersOnly { get; init; }
    public IReadOnlyList<CaptureMatch> Matches { get; init; } = [];
    public bool RealTime { get; init; }
    /// <summary><c>real-time dump</c>: hex of each packet in the live display.</summary>
    public bool RealTimeDump { get; init; }
    /// <summary><c>real-time detail</c>: the detailed decode in the live display.</summary>
    public bool RealTimeDetail { get; init; }
    public bool Trace { get; init; }
    public bool TraceDetail { get; init; }
    public int TraceCount { get; init; } = DefaultTraceCount;
    public bool Stopped { get; init; }

    /// <summary>
    /// The configuration part of a <c>show capture</c> list line, in FTD's field order: type,
    /// buffer (non-default), trace (+ count when non-default), interface, then the flags.
    /// </summary>
    public string Summary()
    {
        var sb = new StringBuilder("capture ").Append(Name).Append(" type ");
        if (Type == CaptureType.AspDrop)
        {
            sb.Append("asp-drop ").Append(DropFilter is { } d ? DropCatalogue.Keyword(d) : "all");
        }
        else if (Type == CaptureType.Alert)
        {
            sb.Append("alert");
            if (AlertSid is { } sid) sb.Append(" sid ").Append(sid);
        }
        else
        {
            sb.Append("raw-data");
        }
        if (Buffer != DefaultBuffer) sb.Append(" buffer ").Append(Buffer);
        if (Trace)
        {
            sb.Append(" trace");
            if (TraceDetail) sb.Append(" detail");
            if (TraceCount != DefaultTraceCount) sb.Append(" trace-count ").Append(TraceCount);
        }
        if (Interface is not null) sb.Append(" interface ").Append(Interface);
        if (PacketLength != DefaultPacketLength) sb.Append(" packet-length ").Append(PacketLength);
        if (EthernetType is { } et) sb.Append(" ethernet-type ").Append(et.Text);
        if (Circular) sb.Append(" circular-buffer");
        if (HeadersOnly) sb.Append(" headers-only");
        if (AccessList is not null) sb.Append(" access-list ").Append(AccessList);
        if (RealTime)
        {
            sb.Append(" real-time");
            if (RealTimeDump) sb.Append(" dump");
            if (RealTimeDetail) sb.Append(" detail");
        }
        return sb.ToString();
    }
}

/// <summary><c>ethernet-type</c>: which frames a capture keeps (by the EtherType after the VLAN tags).</summary>
public readonly record struct EthernetTypeFilter(string Text, ushort EtherType, bool TaggedOnly)
{
    /// <summary>True when <paramref name="info"/> passes the filter; null filter = FTD's default, IP (v4 and v6).</summary>
    public static bool Accepts(EthernetTypeFilter? filter, in FrameInfo info)
    {
        if (filter is not { } f) return info.IsIp;
        if (f.TaggedOnly) return info.VlanCount > 0;
        return !info.IsLlc && info.EtherType == f.EtherType;
    }

    public static bool TryParse(string text, out EthernetTypeFilter filter)
    {
        filter = text.ToLowerInvariant() switch
        {
            "ip" => new("ip", EtherTypes.Ipv4, false),
            "ip6" => new("ip6", EtherTypes.Ipv6, false),
            "arp" => new("arp", EtherTypes.Arp, false),
            "rarp" => new("rarp", 0x8035, false),
            "ipx" => new("ipx", EtherTypes.Ipx, false),
            "pppoed" => new("pppoed", 0x8863, false),
            "pppoes" => new("pppoes", 0x8864, false),
            "802.1q" => new("802.1Q", EtherTypes.Vlan, true),
            "vlan" => new("vlan", EtherTypes.Vlan, true),
            _ => default,
        };
        if (filter.Text is not null) return true;
        if (ushort.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort n))
        {
            filter = new(text, n, false);
            return true;
        }
        return false;
    }
}
