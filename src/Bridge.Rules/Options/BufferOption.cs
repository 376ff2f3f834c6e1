using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// Buffer keywords. In Snort 2 the http_* names are content modifiers (they move the last content
/// into that buffer); in Snort 3 they, like pkt_data and file_data in both versions, are sticky:
/// every later content and pcre reads that buffer and its cursor starts at 0.
/// </summary>
internal static class BufferOption
{
    public static void Sticky(BufferId id, RuleBuilder b)
    {
        b.Sticky = id;
        b.LastContent = null;
    }

    /// <summary>An http_* keyword: modifier in Snort 2, sticky buffer in Snort 3.</summary>
    public static void Http(BufferId id, string value, RuleBuilder b)
    {
        if (b.Dialect == RuleDialect.Snort2)
        {
            b.RequireContent(id.ToString()).Buffer = id;
            return;
        }
        if (value.Length > 0)
        {
            // Snort 3: http_header:field name selects one header; Bridge locates a few by name.
            var (name, field) = OptionText.Pair(value.Trim());
            if (name != "field") throw new RuleRejectedException("unsupported http buffer argument", value);
            id = field.ToLowerInvariant() switch
            {
                "host" => BufferId.HttpHost,
                "user-agent" => BufferId.HttpUserAgent,
                "cookie" => BufferId.HttpCookie,
                _ => throw new RuleRejectedException("http_header field not located", field),
            };
        }
        Sticky(id, b);
    }
}
