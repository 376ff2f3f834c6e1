using Bridge.Rules.Matching;
using Bridge.Rules.Options;

namespace Bridge.Rules.Parsing;

/// <summary>Which rule language a file is written in; it decides how buffer keywords and ranges read.</summary>
public enum RuleDialect : byte
{
    Snort2,
    Snort3,
}

/// <summary>
/// Collects one rule's options while they are parsed, in order. Option parsers (see
/// <see cref="OptionRegistry"/>) add detection options, set identity fields or modify the last
/// content, and throw <see cref="RuleRejectedException"/> for anything the engine cannot honour.
/// </summary>
internal sealed class RuleBuilder
{
    private readonly List<string> _variables = [];

    public RuleBuilder(RuleDialect dialect, RuleSetContext shared)
    {
        Dialect = dialect;
        Shared = shared;
    }

    public RuleDialect Dialect { get; }
    public RuleSetContext Shared { get; }

    public string? Message;
    public uint? Sid;
    public uint Gid = 1;
    public uint Rev = 1;
    public string Classtype = "";
    public int? Priority;
    public readonly List<string> References = [];
    public readonly List<string> Metadata = [];
    public readonly List<string> Services = [];
    public readonly List<DetectionOption> Detection = [];
    public readonly List<FlowbitsOption> FlowbitChanges = [];
    public FlowOption? Flow;
    public bool NoAlert;
    public EventFilter? Threshold;
    public EventFilter? DetectionFilter;
    public TagSpec? Tag;

    /// <summary>The last content, which Snort 2 modifiers (nocase, depth, http_uri, …) apply to.</summary>
    public ContentOption? LastContent;
    /// <summary>The last content or pcre: the option a later relative option's cursor comes from.</summary>
    public DetectionOption? LastCursorOption;
    /// <summary>Snort 3 sticky buffer selected by pkt_data, http_uri, file_data, …</summary>
    public BufferId Sticky = BufferId.Packet;

    /// <summary>The buffer relative byte_* and isdataat options read: Snort 3's sticky buffer, or in Snort 2 that of the last content.</summary>
    public BufferId CurrentBuffer => Dialect == RuleDialect.Snort3
        ? Sticky
        : LastCursorOption switch
        {
            ContentOption c => c.Buffer,
            PcreOption p => p.Buffer,
            _ => BufferId.Packet,
        };

    public ContentOption RequireContent(string modifier) =>
        LastContent ?? throw new RuleRejectedException("modifier without content", modifier);

    public int DeclareVariable(string name)
    {
        if (_variables.Contains(name)) return _variables.IndexOf(name);
        if (_variables.Count == VariableArray.MaxVariables) throw new RuleRejectedException("too many byte_extract variables");
        _variables.Add(name);
        return _variables.Count - 1;
    }

    public int VariableIndex(string name) => _variables.IndexOf(name);

    public void Add(DetectionOption option) => Detection.Add(option);
}
