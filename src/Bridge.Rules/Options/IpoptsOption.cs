using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>ipopts:rr|eol|nop|ts|sec|esec|lsrr|lsrre|ssrr|satid|any</c>: an IPv4 option is present.</summary>
internal sealed class IpoptsOption(int code) : TestOption
{
    private const int AnyOption = -1;

    public override bool Test(ref Evaluation e)
    {
        ref readonly var i = ref e.Info;
        if (!i.IsIpv4 || i.IpOptionsLength == 0) return false;
        if (code == AnyOption) return true;
        var opts = e.Frame.Slice(i.L3Offset + 20, i.IpOptionsLength);
        int p = 0;
        while (p < opts.Length)
        {
            byte type = opts[p];
            if (type == code) return true;
            if (type == 0) break;
            if (type == 1)
            {
                p++;
                continue;
            }
            if (p + 1 >= opts.Length || opts[p + 1] < 2) break;
            p += opts[p + 1];
        }
        return false;
    }

    public static void Parse(string value, RuleBuilder b)
    {
        int code = value.Trim() switch
        {
            "rr" => 7, "eol" => 0, "nop" => 1, "ts" => 68, "sec" => 130, "esec" => 133,
            "lsrr" or "lsrre" => 131, "ssrr" => 137, "satid" => 136, "any" => AnyOption,
            _ => throw new RuleRejectedException("bad ipopts", value),
        };
        b.Add(new IpoptsOption(code));
    }
}
