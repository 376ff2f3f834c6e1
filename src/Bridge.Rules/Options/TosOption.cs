using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>tos</c>: compares the IPv4 type of service byte.</summary>
internal static class TosOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.Tos, NumericTest.Parse(value, b, 255)));
    }
}
