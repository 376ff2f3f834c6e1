using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>id</c>: compares the IPv4 identification.</summary>
internal static class IdOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.IpId, NumericTest.Parse(value, b, 65535)));
    }
}
