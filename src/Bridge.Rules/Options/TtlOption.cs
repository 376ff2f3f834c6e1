using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>ttl</c>: compares the IP time to live (hop limit for IPv6).</summary>
internal static class TtlOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.Ttl, NumericTest.Parse(value, b, 255)));
    }
}
