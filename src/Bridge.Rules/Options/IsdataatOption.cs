using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>isdataat:[!]N[,relative][,rawbytes]</c>: there is a byte at N (from the buffer start, or from
/// the cursor with relative), i.e. N &lt; remaining length.
/// </summary>
internal sealed class IsdataatOption : TestOption
{
    private IntArg _offset;
    private bool _relative;
    private bool _negated;
    private BufferId _buffer;

    public override bool IsRelative => _relative;

    public override bool Test(ref Evaluation e)
    {
        if (!e.HasBuffer(_buffer)) return _negated;
        int length = e.Buffer(_buffer).Length;
        long pos = (_relative ? e.Cursors[(int)_buffer] : 0) + (long)_offset.Resolve(ref e);
        bool present = pos >= 0 && pos < length;
        return present != _negated;
    }

    public static void Parse(string value, RuleBuilder b)
    {
        var a = OptionText.SplitArgs(value);
        var opt = new IsdataatOption();
        string n = a[0];
        if (n.StartsWith('!'))
        {
            opt._negated = true;
            n = n[1..];
        }
        opt._offset = IntArg.Parse(n, b);
        for (int i = 1; i < a.Count; i++)
        {
            switch (a[i])
            {
                case "relative": opt._relative = true; break;
                case "rawbytes": break;
                default: throw new RuleRejectedException("bad isdataat argument", a[i]);
            }
        }
        opt._buffer = b.CurrentBuffer;
        b.Add(opt);
    }
}
