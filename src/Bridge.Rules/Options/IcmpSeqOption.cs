using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>icmp_seq</c>: compares the ICMP echo sequence number.</summary>
internal static class IcmpSeqOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.IcmpSeq, NumericTest.Parse(value, b, 65535)));
    }
}
