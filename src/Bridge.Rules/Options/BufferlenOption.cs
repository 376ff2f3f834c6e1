using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// Snort 3 <c>bufferlen:[op]N[,relative]</c> or <c>N&lt;&gt;M</c>: the length of the current buffer,
/// or with relative the bytes left after the cursor. A missing buffer does not match.
/// </summary>
internal sealed class BufferlenOption(NumericTest test, BufferId buffer, bool relative) : TestOption
{
    public override bool IsRelative => relative;

    public override bool Test(ref Evaluation e)
    {
        if (!e.HasBuffer(buffer)) return false;
        int length = e.Buffer(buffer).Length;
        if (relative) length = Math.Max(0, length - e.Cursors[(int)buffer]);
        return test.Test(length);
    }

    public static void Parse(string value, RuleBuilder b)
    {
        var a = OptionText.SplitArgs(value);
        bool relative = a.Count > 1 && a[1] == "relative";
        if (a.Count > 2 || (a.Count == 2 && !relative)) throw new RuleRejectedException("bad bufferlen", value);
        b.Add(new BufferlenOption(NumericTest.Parse(a[0], b, 65535), b.CurrentBuffer, relative));
    }
}
