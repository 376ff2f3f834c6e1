using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>seq</c>: compares the TCP sequence number.</summary>
internal static class SeqOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        b.Add(new FieldTestOption(PacketField.TcpSeq, NumericTest.Parse(value, b, 4294967295)));
    }
}
