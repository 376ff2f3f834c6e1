using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>gid:N</c>: the generator id (1, the rules engine, when absent).</summary>
internal static class GidOption
{
    public static void Parse(string value, RuleBuilder b) => b.Gid = OptionText.UInt(value, "gid");
}
