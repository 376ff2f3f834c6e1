using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>sid:N</c>: the rule's signature id (required).</summary>
internal static class SidOption
{
    public static void Parse(string value, RuleBuilder b) => b.Sid = OptionText.UInt(value, "sid");
}
