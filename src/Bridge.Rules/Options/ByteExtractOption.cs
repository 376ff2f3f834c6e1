using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>byte_extract:bytes,offset,name[,relative][,multiplier N][,align 2|4][,big|little][,string,…][,bitmask N]</c>:
/// stores value×multiplier (aligned up) in a variable later options use for offset, depth,
/// distance, within, byte_test values and offsets; moves the cursor past the bytes read.
/// </summary>
internal sealed class ByteExtractOption : DetectionOption
{
    private ByteField _field = null!;
    private int _variable;
    private int _multiplier = 1;
    private int _align;

    public override bool IsRelative => true;

    public override bool Match(ref Evaluation e, Rule rule, int next)
    {
        if (!_field.TryRead(ref e, out long v, out int end)) return false;
        v *= _multiplier;
        if (_align > 0) v = (v + _align - 1) / _align * _align;
        int savedVar = e.Variables[_variable];
        int savedCursor = e.Cursors[(int)_field.Buffer];
        e.Variables[_variable] = (int)Math.Min(v, int.MaxValue);
        e.Cursors[(int)_field.Buffer] = end;
        if (rule.MatchFrom(ref e, next)) return true;
        e.Variables[_variable] = savedVar;
        e.Cursors[(int)_field.Buffer] = savedCursor;
        return false;
    }

    public static void Parse(string value, RuleBuilder b)
    {
        var a = OptionText.SplitArgs(value);
        if (a.Count < 3) throw new RuleRejectedException("byte_extract needs bytes,offset,name", value);
        var opt = new ByteExtractOption();
        var rest = new List<string>();
        opt._field = ByteField.Parse(a[0], a[1], a.Skip(3), b, rest);
        foreach (string r in rest)
        {
            var (name, arg) = OptionText.Pair(r);
            switch (name)
            {
                case "multiplier": opt._multiplier = OptionText.Int(arg, "multiplier"); break;
                case "align": opt._align = OptionText.Int(arg, "align"); break;
                default: throw new RuleRejectedException("unsupported byte_extract argument", name);
            }
        }
        if (opt._align is not (0 or 2 or 4)) throw new RuleRejectedException("byte_extract align must be 2 or 4");
        opt._variable = b.DeclareVariable(a[2].Trim());
        b.Add(opt);
    }
}
