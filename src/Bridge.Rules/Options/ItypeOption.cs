using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>itype</c>: compares the ICMP type.</summary>
internal static class ItypeOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.IcmpType, NumericTest.Parse(value, b, 255)));
    }
}
