using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>ack</c>: compares the TCP acknowledgement number.</summary>
internal static class AckOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.TcpAck, NumericTest.Parse(value, b, 4294967295)));
    }
}
