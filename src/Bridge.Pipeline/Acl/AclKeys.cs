using Bridge.Packets;

namespace Bridge.Pipeline.Acl;

public static class AclKeys
{
    /// <summary>The ACL facts of a decoded IP frame. Ports only when the transport header was decoded
    /// (not for non-first fragments), ICMP type/code only for ICMP and ICMPv6.</summary>
    public static AclKey FromFrame(in FrameInfo f) => new()
    {
        Protocol = f.Protocol,
        Src = f.SrcIp,
        Dst = f.DstIp,
        SrcPort = f.SrcPort,
        DstPort = f.DstPort,
        HasPorts = f.IsTcp || f.IsUdp,
        IcmpType = f.IcmpType,
        IcmpCode = f.IcmpCode,
        HasIcmp = f.IsIcmp,
    };
}
