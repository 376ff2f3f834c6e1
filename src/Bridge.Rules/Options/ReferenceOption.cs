using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>reference:system,id</c>: kept for alert_json and show commands.</summary>
internal static class ReferenceOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        if (!value.Contains(',', StringComparison.Ordinal)) throw new RuleRejectedException("bad reference", value);
        b.References.Add(value.Trim());
    }
}
