using System.Globalization;
using Bridge.Packets.Pcap;

namespace Bridge.Packets.Tests;

/// <summary>
/// Decodes every frame of every shared capture and compares with tshark, field by field.
/// Reassembly is switched off in tshark so both sides look at single frames; first occurrences
/// are compared so the quoted header inside an ICMP error does not count as the frame's own.
/// No frame is skipped.
/// </summary>
public class DecoderOracleTests
{
    private static readonly string[] Fields =
    [
        "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto", "ipv6.nxt", "ipv6.fraghdr.nxt",
        "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags",
        "vlan.id", "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
        "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "ip.frag_offset", "ip.flags.mf",
    ];

    public static TheoryData<string> SharedCaptures() => PcapFileTests.SharedCaptures();

    [Theory]
    [MemberData(nameof(SharedCaptures))]
    public void Decoder_agrees_with_tshark(string file)
    {
        var path = Path.Combine("/work/shared/data/pcaps", file);
        var records = PcapReader.ReadAll(path);
        var rows = ExternalTool.TsharkFields(path, Fields, ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"], occurrence: 'f');
        Assert.Equal(records.Count, rows.Count);
        int compared = 0;
        for (int i = 0; i < records.Count; i++)
        {
            var t = new Dictionary<string, string>();
            for (int f = 0; f < Fields.Length; f++) t[Fields[f]] = rows[i][f];
            var (reason, info) = DecodeRunner.Run(records[i].Data.Span);
            string at = $"{file} frame {i + 1}";
            Assert.True(reason == DropReason.None, $"{at}: {reason}");
            compared += Compare(at, info, t);
        }
        Assert.True(compared >= records.Count * 3, $"{file}: only {compared} fields compared");
    }

    private static int Compare(string at, FrameInfo info, Dictionary<string, string> t)
    {
        int n = 0;
        void Eq(string expected, string actual, string what)
        {
            Assert.True(expected == actual, $"{at}: {what} tshark '{expected}' ours '{actual}'");
            n++;
        }
        static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

        Eq(t["vlan.id"], info.VlanCount > 0 ? S(info.OuterVlan) : "", "vlan");
        if (info.IsIpv4)
        {
            Eq(t["ip.src"], info.SrcIp.ToString(), "src");
            Eq(t["ip.dst"], info.DstIp.ToString(), "dst");
            Eq(t["ip.proto"], S(info.Protocol), "proto");
            Eq(t["ip.frag_offset"], S(info.FragmentOffset / 8), "fragment offset");
            Eq(t["ip.flags.mf"] is "1" or "True" ? "1" : "0", info.MoreFragments ? "1" : "0", "MF");
        }
        else if (info.IsIpv6)
        {
            Eq(t["ipv6.src"], info.SrcIp.ToString(), "src");
            Eq(t["ipv6.dst"], info.DstIp.ToString(), "dst");
            Eq(t["ipv6.fraghdr.nxt"].Length > 0 ? t["ipv6.fraghdr.nxt"] : t["ipv6.nxt"], S(info.Protocol), "next header");
        }
        else
        {
            Eq(t["ip.src"] + t["ipv6.src"], "", "no IP");
        }

        bool icmp = info.IsIcmp;
        Eq(info.IsTcp || icmp ? t["tcp.srcport"] : "", info.IsTcp ? S(info.SrcPort) : "", "tcp sport");
        Eq(info.IsTcp || icmp ? t["tcp.dstport"] : "", info.IsTcp ? S(info.DstPort) : "", "tcp dport");
        Eq(info.IsUdp || icmp ? t["udp.srcport"] : "", info.IsUdp ? S(info.SrcPort) : "", "udp sport");
        Eq(info.IsUdp || icmp ? t["udp.dstport"] : "", info.IsUdp ? S(info.DstPort) : "", "udp dport");
        if (info.IsTcp)
        {
            // tshark's field is 12 bits (3 reserved + AE + 8); ours carries the 9 defined flags.
            Eq(S(Convert.ToInt32(t["tcp.flags"], 16) & 0x1FF), S((int)info.TcpFlags), "tcp flags");
        }
        string icmpType = t["icmp.type"] + t["icmpv6.type"];
        string icmpCode = t["icmp.code"] + t["icmpv6.code"];
        Eq(icmpType, icmp ? S(info.IcmpType) : "", "icmp type");
        Eq(icmpCode, icmp ? S(info.IcmpCode) : "", "icmp code");

        if (info.IsArp)
        {
            Eq(t["arp.opcode"], S(info.ArpOp), "arp op");
            Eq(t["arp.src.proto_ipv4"], info.ArpSenderIp.ToString(), "arp sender");
            Eq(t["arp.dst.proto_ipv4"], info.ArpTargetIp.ToString(), "arp target");
        }
        return n;
    }
}
