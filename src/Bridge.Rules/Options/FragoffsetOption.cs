using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>fragoffset</c>: compares the IPv4 fragment offset in 8-byte units, as on the wire.</summary>
internal static class FragoffsetOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.FragOffset, NumericTest.Parse(value, b, 8191)));
    }
}
