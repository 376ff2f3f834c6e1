using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>msg:"text"</c>: the alert message, with Snort's backslash escapes removed.</summary>
internal static class MsgOption
{
    public static void Parse(string value, RuleBuilder b) => b.Message = OptionText.Unquote(value);
}
