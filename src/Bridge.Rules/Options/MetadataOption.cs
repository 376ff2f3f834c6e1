using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>metadata:key value, key value</c>: kept as written; Snort 2's <c>service x</c> entries also name services.</summary>
internal static class MetadataOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        foreach (string entry in OptionText.SplitArgs(value))
        {
            b.Metadata.Add(entry);
            if (entry.StartsWith("service ", StringComparison.Ordinal)) b.Services.Add(entry[8..].Trim());
        }
    }
}
