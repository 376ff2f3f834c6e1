using Bridge.Rules.Matching;

using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// One detection option of a rule. <see cref="Match"/> decides this option and, on success,
/// continues with the rest of the rule (<c>rule.MatchFrom(ref e, next)</c>); options that move the
/// cursor use that shape to retry at a later match when the rest fails, as Snort does.
/// </summary>
internal abstract class DetectionOption
{
    public abstract bool Match(ref Evaluation e, Rule rule, int next);

    /// <summary>True when this option reads or moves the cursor (a retry of an earlier content can change its outcome).</summary>
    public virtual bool IsRelative => false;
}

/// <summary>An option that only tests the packet: no cursor, nothing to retry.</summary>
internal abstract class TestOption : DetectionOption
{
    public abstract bool Test(ref Evaluation e);

    public sealed override bool Match(ref Evaluation e, Rule rule, int next) => Test(ref e) && rule.MatchFrom(ref e, next);
}

/// <summary>An integer argument that is either a constant or a byte_extract variable.</summary>
internal readonly record struct IntArg(int Value, int Variable = -1)
{
    public int Resolve(ref Evaluation e) => Variable < 0 ? Value : e.Variables[Variable];

    public static IntArg Parse(string text, RuleBuilder b)
    {
        text = text.Trim();
        if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int v))
            return new IntArg(v);
        int var = b.VariableIndex(text);
        if (var < 0) throw new RuleRejectedException($"'{text}' is neither a number nor a byte_extract variable");
        return new IntArg(0, var);
    }
}
