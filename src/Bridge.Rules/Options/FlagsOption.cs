using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>flags:[+*!]FSRPAUCE0[,mask]</c> on the TCP flags byte. <c>C</c>/<c>1</c> is CWR and
/// <c>E</c>/<c>2</c> ECE (the old reserved-bit names); <c>0</c> means no flag at all.
/// </summary>
internal sealed class FlagsOption(BitsTest test) : TestOption
{
    public override bool Test(ref Evaluation e) => e.Info.IsTcp && test.Test((int)e.Info.TcpFlags & 0xFF);

    public static void Parse(string value, RuleBuilder b) => b.Add(new FlagsOption(BitsTest.Parse(value, Bit)));

    private static int Bit(char c) => c switch
    {
        'F' => 0x01, 'S' => 0x02, 'R' => 0x04, 'P' => 0x08, 'A' => 0x10, 'U' => 0x20,
        'E' or '2' => 0x40, 'C' or '1' => 0x80, '0' => 0,
        _ => -1,
    };
}
