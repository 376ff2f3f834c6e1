using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// Every rule option the engine understands, in one list: keyword → parser. A keyword missing
/// here rejects the rule with "unsupported option". No reflection: adding an option is adding a
/// line.
/// </summary>
internal static class OptionRegistry
{
    public delegate void OptionParser(string value, RuleBuilder builder);

    private static readonly (string Keyword, OptionParser Parse)[] Options =
    [
        // identity and classification
        ("msg", MsgOption.Parse),
        ("sid", SidOption.Parse),
        ("gid", GidOption.Parse),
        ("rev", RevOption.Parse),
        ("classtype", ClasstypeOption.Parse),
        ("priority", PriorityOption.Parse),
        ("reference", ReferenceOption.Parse),
        ("metadata", MetadataOption.Parse),
        ("service", ServiceOption.Parse),
        // payload
        ("content", ContentOption.Parse),
        ("uricontent", ContentOption.ParseUriContent),
        ("nocase", ContentOption.ParseNocase),
        ("rawbytes", ContentOption.ParseRawbytes),
        ("offset", ContentOption.ParseOffset),
        ("depth", ContentOption.ParseDepth),
        ("distance", ContentOption.ParseDistance),
        ("within", ContentOption.ParseWithin),
        ("fast_pattern", ContentOption.ParseFastPattern),
        ("pcre", PcreOption.Parse),
        ("byte_test", ByteTestOption.Parse),
        ("byte_jump", ByteJumpOption.Parse),
        ("byte_extract", ByteExtractOption.Parse),
        ("isdataat", IsdataatOption.Parse),
        ("dsize", DsizeOption.Parse),
        ("urilen", UrilenOption.Parse),
        ("bufferlen", BufferlenOption.Parse),
        // buffers
        ("pkt_data", (_, b) => BufferOption.Sticky(BufferId.Packet, b)),
        ("raw_data", (_, b) => BufferOption.Sticky(BufferId.Packet, b)),
        ("file_data", (_, b) => BufferOption.Sticky(BufferId.FileData, b)),
        ("http_uri", (v, b) => BufferOption.Http(BufferId.HttpUri, v, b)),
        ("http_raw_uri", (v, b) => BufferOption.Http(BufferId.HttpRawUri, v, b)),
        ("http_method", (v, b) => BufferOption.Http(BufferId.HttpMethod, v, b)),
        ("http_header", (v, b) => BufferOption.Http(BufferId.HttpHeader, v, b)),
        ("http_raw_header", (v, b) => BufferOption.Http(BufferId.HttpRawHeader, v, b)),
        ("http_cookie", (v, b) => BufferOption.Http(BufferId.HttpCookie, v, b)),
        ("http_raw_cookie", (v, b) => BufferOption.Http(BufferId.HttpRawCookie, v, b)),
        ("http_client_body", (v, b) => BufferOption.Http(BufferId.HttpClientBody, v, b)),
        ("http_stat_code", (v, b) => BufferOption.Http(BufferId.HttpStatCode, v, b)),
        ("http_stat_msg", (v, b) => BufferOption.Http(BufferId.HttpStatMsg, v, b)),
        // flow state
        ("flow", FlowOption.Parse),
        ("flowbits", FlowbitsOption.Parse),
        // headers
        ("flags", FlagsOption.Parse),
        ("itype", ItypeOption.Parse),
        ("icode", IcodeOption.Parse),
        ("icmp_id", IcmpIdOption.Parse),
        ("icmp_seq", IcmpSeqOption.Parse),
        ("ttl", TtlOption.Parse),
        ("tos", TosOption.Parse),
        ("id", IdOption.Parse),
        ("ip_proto", IpProtoOption.Parse),
        ("ipopts", IpoptsOption.Parse),
        ("fragbits", FragbitsOption.Parse),
        ("fragoffset", FragoffsetOption.Parse),
        ("sameip", SameipOption.Parse),
        ("seq", SeqOption.Parse),
        ("ack", AckOption.Parse),
        ("window", WindowOption.Parse),
        // event handling
        ("threshold", ThresholdOption.Parse),
        ("event_filter", ThresholdOption.Parse),
        ("detection_filter", DetectionFilterOption.Parse),
        ("tag", TagOption.Parse),
    ];

    private static readonly Dictionary<string, OptionParser> ByKeyword = Build();

    private static Dictionary<string, OptionParser> Build()
    {
        var d = new Dictionary<string, OptionParser>(StringComparer.Ordinal);
        foreach (var (k, p) in Options) d.Add(k, p);
        return d;
    }

    public static bool TryGet(string keyword, out OptionParser parser) => ByKeyword.TryGetValue(keyword, out parser!);

    public static IEnumerable<string> Keywords => ByKeyword.Keys;
}
