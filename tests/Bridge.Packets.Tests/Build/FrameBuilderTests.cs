using Bridge.Packets.Pcap;

namespace Bridge.Packets.Tests;

/// <summary>
/// The builder is checked against tshark, an independent decoder: protocol stack, addresses,
/// ports, VLAN ids, lengths, and every checksum reported good with verification switched on.
/// </summary>
public class FrameBuilderTests
{
    private static readonly string[] Fields =
    [
        "frame.protocols", "vlan.id", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
        "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status",
        "_ws.malformed", "ip.len", "ipv6.plen", "tcp.flags", "ip.flags", "ip.frag_offset", "ipv6.fraghdr.offset", "ipv6.fraghdr.ident",
        "arp.opcode", "icmp.type", "icmpv6.type", "ieee8021ad.id", "vlan.priority", "tcp.options.mss_val", "tcp.options.wscale.shift",
    ];

    private static Dictionary<string, Dictionary<string, string>> Decode()
    {
        using var tmp = new TempFile();
        var samples = SampleFrames.All().ToList();
        using (var w = PcapWriter.Create(tmp.Path))
        {
            long t = 1_700_000_000_000_000_000;
            foreach (var (_, f) in samples) w.Write(t += 1000, f);
        }
        var rows = ExternalTool.TsharkFields(tmp.Path, Fields,
            ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]);
        Assert.Equal(samples.Count, rows.Count);
        var result = new Dictionary<string, Dictionary<string, string>>();
        for (int i = 0; i < rows.Count; i++)
        {
            var byField = new Dictionary<string, string>();
            for (int f = 0; f < Fields.Length; f++) byField[Fields[f]] = rows[i][f];
            result[samples[i].Name] = byField;
        }
        return result;
    }

    private static readonly Lazy<Dictionary<string, Dictionary<string, string>>> Tshark = new(Decode);

    [Theory]
    [InlineData("tcp-syn-vlan", "eth:ethertype:vlan:ethertype:ip:tcp")]
    [InlineData("tcp-data", "eth:ethertype:ip:tcp:http")]
    [InlineData("udp-qinq", "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:udp:dns")]
    [InlineData("udp-padded", "eth:ethertype:ip:udp:data")]
    [InlineData("icmp-echo", "eth:ethertype:ip:icmp:data")]
    [InlineData("ipv4-options", "eth:ethertype:ip:udp")]
    [InlineData("ipv4-fragment", "eth:ethertype:ip:data")]
    [InlineData("tcp6", "eth:ethertype:ipv6:tcp")]
    [InlineData("icmp6-echo", "eth:ethertype:ipv6:icmpv6:data")]
    [InlineData("ipv6-ext", "eth:ethertype:ipv6:ipv6.hopopts:ipv6.dstopts:udp:data")]
    [InlineData("ipv6-fragment", "eth:ethertype:ipv6:ipv6.fraghdr:data")]
    [InlineData("arp-request", "eth:ethertype:arp")]
    [InlineData("stp-llc", "eth:llc:stp")]
    [InlineData("ipx-raw", "eth:ethertype:ipx")]
    public void Tshark_sees_the_intended_protocol_stack_without_malformation(string name, string protocols)
    {
        var row = Tshark.Value[name];
        Assert.Equal(protocols, row["frame.protocols"]);
        Assert.Equal("", row["_ws.malformed"]);
    }

    [Fact]
    public void Every_checksum_is_good()
    {
        int verified = 0;
        foreach (var (name, row) in Tshark.Value)
        {
            foreach (var field in new[] { "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status" })
            {
                // The ICMP error quotes no valid inner header, so only the outer checksums are ours.
                var statuses = row[field].Split(',', StringSplitOptions.RemoveEmptyEntries);
                if (statuses.Length == 0) continue;
                Assert.True(statuses[0] == "1", $"{name}: {field} = {row[field]}");
                verified++;
            }
        }
        Assert.True(verified >= 18, $"only {verified} checksums verified");
    }

    [Fact]
    public void Addresses_ports_and_tags_match()
    {
        var syn = Tshark.Value["tcp-syn-vlan"];
        Assert.Equal("1577", syn["vlan.id"]);
        Assert.Equal("3", syn["vlan.priority"]);
        Assert.Equal("192.168.103.1", syn["ip.src"]);
        Assert.Equal("192.168.101.1", syn["ip.dst"]);
        Assert.Equal("40000", syn["tcp.srcport"]);
        Assert.Equal("443", syn["tcp.dstport"]);
        Assert.Equal("0x0002", syn["tcp.flags"]);
        Assert.Equal("0x02", syn["ip.flags"]);
        Assert.Equal("1460", syn["tcp.options.mss_val"]);
        Assert.Equal("7", syn["tcp.options.wscale.shift"]);

        var qinq = Tshark.Value["udp-qinq"];
        Assert.Equal("100", qinq["ieee8021ad.id"]);
        Assert.Equal("200", qinq["vlan.id"]);
        Assert.Equal("5353", qinq["udp.srcport"]);

        var tcp6 = Tshark.Value["tcp6"];
        Assert.Equal("2001:db8:103::1", tcp6["ipv6.src"]);
        Assert.Equal("2001:db8:101::1", tcp6["ipv6.dst"]);
        Assert.Equal("0x00c2", tcp6["tcp.flags"]);

        Assert.Equal("1", Tshark.Value["arp-request"]["arp.opcode"]);
        Assert.Equal("8", Tshark.Value["icmp-echo"]["icmp.type"]);
        Assert.Equal("129", Tshark.Value["icmp6-echo"]["icmpv6.type"]);
    }

    [Fact]
    public void Lengths_and_fragment_fields_match()
    {
        var padded = Tshark.Value["udp-padded"];
        Assert.Equal("31", padded["ip.len"]);
        Assert.Equal(60, SampleFrames.Get("udp-padded").Length);

        var frag = Tshark.Value["ipv4-fragment"];
        Assert.Equal("0x01", frag["ip.flags"]);
        Assert.Equal("185", frag["ip.frag_offset"]); // tshark 4.0 prints the offset in 8-byte units
        Assert.Equal("84", frag["ip.len"]);

        var frag6 = Tshark.Value["ipv6-fragment"];
        Assert.Equal("0", frag6["ipv6.fraghdr.offset"]);
        Assert.Equal("0x0000cafe", frag6["ipv6.fraghdr.ident"]);
        Assert.Equal("56", frag6["ipv6.plen"]);

        // 5 option bytes are padded to 8: 20 + 8 + an 8-byte UDP header.
        Assert.Equal("36", Tshark.Value["ipv4-options"]["ip.len"]);
    }

    [Fact]
    public void Checksum_matches_rfc1071_example()
    {
        // RFC 1071 §3 example bytes: the one's-complement sum is 0xddf2, so the checksum is its complement.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal((ushort)0xddf2, InternetChecksum.Fold(InternetChecksum.Add(0, data)));
        Assert.Equal((ushort)0x220d, InternetChecksum.Compute(data));
        Assert.False(InternetChecksum.Verify(data));
    }

    [Fact]
    public void Odd_length_payload_is_padded_on_the_right()
    {
        Assert.Equal(InternetChecksum.Compute([0xAB, 0xCD, 0xEF, 0x00]), InternetChecksum.Compute([0xAB, 0xCD, 0xEF]));
    }

    [Fact]
    public void Builder_rejects_impossible_fields()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameBuilder.Ethernet(default, default).Vlan(4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameBuilder.Ethernet(default, default).Ipv4(SampleFrames.A4, SampleFrames.B4).Fragment(7, false));
        Assert.Throws<InvalidOperationException>(() => FrameBuilder.Ethernet(default, default).Udp(1, 2));
        Assert.Throws<ArgumentException>(() => FrameBuilder.Ethernet(default, default).Ipv4(SampleFrames.A6, SampleFrames.B4));
    }
}
