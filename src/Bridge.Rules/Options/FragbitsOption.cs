using System.Buffers.Binary;
using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>fragbits:[+*!]MDR</c>: IPv4 More-fragments, Don't-fragment and Reserved bits.</summary>
internal sealed class FragbitsOption(BitsTest test) : TestOption
{
    public override bool Test(ref Evaluation e)
    {
        if (!e.Info.IsIpv4) return false;
        int flags = BinaryPrimitives.ReadUInt16BigEndian(e.Frame.Slice(e.Info.L3Offset + 6)) >> 13;
        return test.Test(flags);
    }

    public static void Parse(string value, RuleBuilder b) => b.Add(new FragbitsOption(BitsTest.Parse(value, Bit)));

    private static int Bit(char c) => c switch
    {
        'M' => 1, 'D' => 2, 'R' => 4,
        _ => -1,
    };
}
