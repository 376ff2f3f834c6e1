using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>rev:N</c>: the rule revision.</summary>
internal static class RevOption
{
    public static void Parse(string value, RuleBuilder b) => b.Rev = OptionText.UInt(value, "rev");
}
