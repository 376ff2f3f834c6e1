using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>classtype:name</c>: must name a class from classification.config (which gives the default priority).</summary>
internal static class ClasstypeOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        string name = value.Trim();
        if (!b.Shared.Classifications.TryGet(name, out _, out _))
            throw new RuleRejectedException("unknown classtype", name);
        b.Classtype = name;
    }
}
