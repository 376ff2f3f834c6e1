using Bridge.Packets;

namespace Bridge.Pipeline.Flows;

/// <summary>How a packet maps onto a connection key.</summary>
public static class FlowKeys
{
    /// <summary>ICMP/ICMPv6 error messages, which belong to the connection of the packet they quote.</summary>
    public static bool IsIcmpError(in FrameInfo info)
    {
        if (!info.IsIcmp) return false;
        return info.Protocol == IpProtocol.Icmp
            ? info.IcmpType is 3 or 4 or 5 or 11 or 12
            : info.IcmpType is >= 1 and <= 4;
    }

    public static bool IsEchoRequest(in FrameInfo info) =>
        info.IsIcmp && (info.Protocol == IpProtocol.Icmp ? info.IcmpType == 8 : info.IcmpType == 128);

    public static bool IsEchoReply(in FrameInfo info) =>
        info.IsIcmp && (info.Protocol == IpProtocol.Icmp ? info.IcmpType == 0 : info.IcmpType == 129);

    /// <summary>IPv6 neighbour discovery and router messages (133–137): link plumbing, not connections.</summary>
    public static bool IsNeighborDiscovery(in FrameInfo info) =>
        info.IsIcmp && info.Protocol == IpProtocol.IcmpV6 && info.IcmpType is >= 133 and <= 137;

    /// <summary>
    /// The key of the packet's connection. Ports come from TCP/UDP, the echo identifier for ICMP
    /// echo, zero otherwise. <paramref name="srcIsA"/> tells the packet's direction in the key.
    /// </summary>
    public static FlowKey For(in FrameInfo info, ushort srcPort, ushort dstPort, byte zone, out bool srcIsA) =>
        FlowKey.Create(info.SrcIp, srcPort, info.DstIp, dstPort, info.Protocol, zone, out srcIsA);

    /// <summary>The ports the connection key uses for this packet (which has its L4 header).</summary>
    public static void Ports(in FrameInfo info, out ushort srcPort, out ushort dstPort)
    {
        if (info.IsTcp || info.IsUdp)
        {
            srcPort = info.SrcPort;
            dstPort = info.DstPort;
        }
        else if (IsEchoRequest(info) || IsEchoReply(info))
        {
            srcPort = dstPort = info.IcmpId;
        }
        else
        {
            srcPort = dstPort = 0;
        }
    }
}
