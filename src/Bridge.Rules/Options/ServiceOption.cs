using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>Snort 3 <c>service:http,ssl</c>: recorded; matching still goes by the header's ports.</summary>
internal static class ServiceOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        foreach (string s in OptionText.SplitArgs(value)) b.Services.Add(s);
    }
}
