using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>priority:N</c>: overrides the classtype's priority.</summary>
internal static class PriorityOption
{
    public static void Parse(string value, RuleBuilder b) => b.Priority = (int)OptionText.UInt(value, "priority");
}
