using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>dsize</c>: compares the payload size.</summary>
internal static class DsizeOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.PayloadSize, NumericTest.Parse(value, b, 65535)));
    }
}
