using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>byte_jump:bytes,offset[,relative][,multiplier N][,align][,from_beginning|from_end][,post_offset N]…</c>:
/// reads a length and moves the cursor past it: from the end of the bytes read (or the buffer start
/// / end), plus value×multiplier rounded up to 4 with align, plus post_offset. The new cursor must
/// stay inside the buffer.
/// </summary>
internal sealed class ByteJumpOption : DetectionOption
{
    private ByteField _field = null!;
    private int _multiplier = 1;
    private bool _align;
    private bool _fromBeginning;
    private bool _fromEnd;
    private IntArg _postOffset;

    public override bool IsRelative => true;

    public override bool Match(ref Evaluation e, Rule rule, int next)
    {
        if (!_field.TryRead(ref e, out long v, out int end)) return false;
        long jump = v * _multiplier;
        if (_align) jump = (jump + 3) & ~3L;
        int length = e.Buffer(_field.Buffer).Length;
        long target = (_fromBeginning ? 0 : _fromEnd ? length : end) + jump + _postOffset.Resolve(ref e);
        if (target < 0 || target > length) return false;
        int saved = e.Cursors[(int)_field.Buffer];
        e.Cursors[(int)_field.Buffer] = (int)target;
        if (rule.MatchFrom(ref e, next)) return true;
        e.Cursors[(int)_field.Buffer] = saved;
        return false;
    }

    public static void Parse(string value, RuleBuilder b)
    {
        var a = OptionText.SplitArgs(value);
        if (a.Count < 2) throw new RuleRejectedException("byte_jump needs bytes,offset", value);
        var opt = new ByteJumpOption();
        var rest = new List<string>();
        opt._field = ByteField.Parse(a[0], a[1], a.Skip(2), b, rest);
        foreach (string r in rest)
        {
            var (name, arg) = OptionText.Pair(r);
            switch (name)
            {
                case "multiplier": opt._multiplier = OptionText.Int(arg, "multiplier"); break;
                case "align": opt._align = true; break;
                case "from_beginning": opt._fromBeginning = true; break;
                case "from_end": opt._fromEnd = true; break;
                case "post_offset": opt._postOffset = IntArg.Parse(arg, b); break;
                default: throw new RuleRejectedException("unsupported byte_jump argument", name);
            }
        }
        b.Add(opt);
    }
}
