using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// <c>tag:session[,N,packets|seconds|bytes]</c> or <c>tag:host,N,packets|seconds,src|dst</c>
/// (Snort 3: <c>tag:session,packets N</c>). Tagged packets are logged, not alerted, so they never
/// appear in alert_fast/alert_json; the engine counts them.
/// </summary>
internal static class TagOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        var a = OptionText.SplitArgs(value);
        bool session = a[0] switch
        {
            "session" => true,
            "host" => false,
            _ => throw new RuleRejectedException("bad tag type", a[0]),
        };
        int count = 0;
        string metric = "packets";
        bool? src = null;
        for (int i = 1; i < a.Count; i++)
        {
            var (name, v) = OptionText.Pair(a[i]);
            if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)) count = n;
            else if (name is "packets" or "seconds" or "bytes")
            {
                metric = name;
                if (v.Length > 0) count = OptionText.Int(v, "tag count");
            }
            else if (name is "src" or "dst") src = name == "src";
            else if (name is "exclusive") { }
            else throw new RuleRejectedException("bad tag argument", name);
        }
        if (!session && src is null) throw new RuleRejectedException("tag:host needs src or dst");
        b.Tag = new TagSpec(session, count == 0 ? 256 : count, metric, src);
    }
}
