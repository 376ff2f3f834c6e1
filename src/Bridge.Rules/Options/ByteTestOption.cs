using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>byte_test:bytes,[!]op,value,offset[,relative][,big|little][,string,hex|dec|oct][,bitmask N]</c>.
/// Operators &lt; &gt; = &lt;= &gt;= &amp; (any bit of value set) ^ (xor non-zero), and <c>!</c>
/// alone for "not equal" or in front of any operator to negate it. Does not move the cursor.
/// </summary>
internal sealed class ByteTestOption : TestOption
{
    private ByteField _field = null!;
    private string _op = "";
    private bool _negated;
    private IntArg _value;

    public override bool IsRelative => _field.Relative;

    public override bool Test(ref Evaluation e)
    {
        if (!_field.TryRead(ref e, out long v, out _)) return false;
        long operand = (uint)_value.Resolve(ref e);
        bool r = _op switch
        {
            "<" => v < operand,
            ">" => v > operand,
            "=" => v == operand,
            "<=" => v <= operand,
            ">=" => v >= operand,
            "&" => (v & operand) != 0,
            "^" => (v ^ operand) != 0,
            _ => false,
        };
        return r != _negated;
    }

    public static void Parse(string value, RuleBuilder b)
    {
        var a = OptionText.SplitArgs(value);
        if (a.Count < 4) throw new RuleRejectedException("byte_test needs bytes,op,value,offset", value);
        var opt = new ByteTestOption();
        string op = a[1].Replace(" ", "", StringComparison.Ordinal);
        if (op.StartsWith('!'))
        {
            opt._negated = true;
            op = op[1..];
            if (op.Length == 0) op = "=";
        }
        if (op is not ("<" or ">" or "=" or "<=" or ">=" or "&" or "^")) throw new RuleRejectedException("bad byte_test operator", a[1]);
        opt._op = op;
        string operand = a[2];
        opt._value = operand.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? new IntArg((int)Convert.ToUInt32(operand[2..], 16))
            : uint.TryParse(operand, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint u)
                ? new IntArg((int)u)
                : IntArg.Parse(operand, b);
        var rest = new List<string>();
        opt._field = ByteField.Parse(a[0], a[3], a.Skip(4), b, rest);
        if (rest.Count > 0) throw new RuleRejectedException("unsupported byte_test argument", rest[0]);
        b.Add(opt);
    }
}
