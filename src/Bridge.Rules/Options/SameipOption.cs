using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>sameip</c>: source and destination address are equal.</summary>
internal sealed class SameipOption : TestOption
{
    public override bool Test(ref Evaluation e) => e.Info.IsIp && e.Info.SrcIp == e.Info.DstIp;

    public static void Parse(string value, RuleBuilder b) => b.Add(new SameipOption());
}
