using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>ip_proto:[!|&lt;|&gt;]N</c> or a protocol name: compares the IP protocol (IPv6: the last next header).</summary>
internal static class IpProtoOption
{
    private static readonly Dictionary<string, int> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ip"] = 0, ["icmp"] = 1, ["igmp"] = 2, ["ggp"] = 3, ["ipip"] = 4, ["tcp"] = 6, ["egp"] = 8, ["igp"] = 9,
        ["udp"] = 17, ["ipv6"] = 41, ["rsvp"] = 46, ["gre"] = 47, ["esp"] = 50, ["ah"] = 51, ["icmpv6"] = 58,
        ["ipv6-icmp"] = 58, ["eigrp"] = 88, ["ospf"] = 89, ["pim"] = 103, ["vrrp"] = 112, ["l2tp"] = 115, ["sctp"] = 132,
    };

    public static void Parse(string value, RuleBuilder b)
    {
        string v = value.Trim();
        int i = 0;
        while (i < v.Length && v[i] is '!' or '<' or '>' or '=') i++;
        if (i < v.Length && Names.TryGetValue(v[i..], out int number)) v = v[..i] + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        b.Add(new FieldTestOption(PacketField.IpProto, NumericTest.Parse(v, b, 255)));
    }
}
