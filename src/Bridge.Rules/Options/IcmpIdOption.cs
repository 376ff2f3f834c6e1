using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>icmp_id</c>: compares the ICMP echo identifier.</summary>
internal static class IcmpIdOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.IcmpId, NumericTest.Parse(value, b, 65535)));
    }
}
