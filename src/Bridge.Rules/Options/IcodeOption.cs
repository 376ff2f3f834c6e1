using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>icode</c>: compares the ICMP code.</summary>
internal static class IcodeOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.IcmpCode, NumericTest.Parse(value, b, 255)));
    }
}
