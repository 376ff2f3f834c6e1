using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>window</c>: compares the TCP window (unscaled).</summary>
internal static class WindowOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.TcpWindow, NumericTest.Parse(value, b, 65535)));
    }
}
