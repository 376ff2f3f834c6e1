using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bridge.Rules.Matching;
using Bridge.Rules.Options;

namespace Bridge.Rules.Parsing;

/// <summary>
/// Reads Snort 2.9 and Snort 3 rule files: comments, <c>\</c> line continuations, ipvar/portvar/var,
/// <c>include</c>, <c>config classification</c>, standalone <c>event_filter</c>/<c>threshold</c>,
/// and rules. Every rule the engine cannot honour is recorded with file, line, sid and reason,
/// and reading goes on.
/// </summary>
internal sealed partial class RuleFileParser
{
    private readonly Variables _variables = new();
    private readonly HeaderParser _headers;
    private readonly RuleSetContext _context = new();
    private readonly LoadReport _report = new();
    private readonly List<Rule> _rules = [];
    private readonly Dictionary<(uint, uint), int> _bySid = [];
    private readonly List<(uint Gid, uint Sid, EventFilter Filter, string Where)> _eventFilters = [];
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);
    private readonly RuleDialect? _forcedDialect;

    public RuleFileParser(RuleDialect? dialect = null)
    {
        _headers = new HeaderParser(_variables);
        _forcedDialect = dialect;
    }

    public LoadReport Report => _report;
    public RuleSetContext Context => _context;

    /// <summary>Loads a file, or every <c>*.rules</c> file of a folder (and its classification.config first).</summary>
    public void LoadPath(string path)
    {
        if (Directory.Exists(path))
        {
            string cls = Path.Combine(path, "classification.config");
            if (File.Exists(cls)) LoadFile(cls);
            foreach (string f in Directory.GetFiles(path, "*.rules").Order(StringComparer.Ordinal)) LoadFile(f);
            return;
        }
        LoadFile(path);
    }

    public void LoadFile(string path)
    {
        string full = Path.GetFullPath(path);
        if (!_visited.Add(full)) return;
        if (!File.Exists(full))
        {
            _report.Notes.Add($"{path}: no such file");
            return;
        }
        _report.Files.Add(full);
        string text = File.ReadAllText(full, Encoding.Latin1);
        LoadText(text, full);
    }

    public void LoadText(string text, string name)
    {
        var dialect = _forcedDialect ?? (LooksLikeSnort3(text) ? RuleDialect.Snort3 : RuleDialect.Snort2);
        string dir = Path.GetDirectoryName(name) ?? ".";
        var lines = text.Split('\n');
        var logical = new StringBuilder();
        int startLine = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (logical.Length == 0) startLine = i + 1;
            if (line.EndsWith('\\'))
            {
                logical.Append(line, 0, line.Length - 1);
                continue;
            }
            logical.Append(line);
            string stmt = logical.ToString().Trim();
            logical.Clear();
            if (stmt.Length == 0 || stmt.StartsWith('#')) continue;
            Statement(stmt, name, dir, startLine, dialect);
        }
    }

    private void Statement(string stmt, string file, string dir, int line, RuleDialect dialect)
    {
        int sp = stmt.IndexOfAny([' ', '\t', '(']);
        string word = sp < 0 ? stmt : stmt[..sp];
        string rest = sp < 0 ? "" : stmt[sp..].Trim();
        switch (word)
        {
            case "var" or "ipvar" or "portvar":
                {
                    int s2 = rest.IndexOfAny([' ', '\t']);
                    if (s2 < 0) _report.Notes.Add($"{file}:{line}: {word} without value");
                    else _variables.Define(rest[..s2], rest[(s2 + 1)..]);
                    return;
                }
            case "include":
                {
                    string target = _variables.Substitute(rest);
                    if (!Path.IsPathRooted(target)) target = Path.Combine(dir, target);
                    LoadFile(target);
                    return;
                }
            case "config":
                if (rest.StartsWith("classification:", StringComparison.Ordinal))
                {
                    if (!_context.Classifications.Define(rest["classification:".Length..]))
                        _report.Notes.Add($"{file}:{line}: bad classification");
                }
                return;
            case "event_filter" or "threshold":
                try
                {
                    var args = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (name, value) in OptionText.SplitArgs(rest).Select(OptionText.Pair))
                    {
                        // A repeated argument is a mistake in the file, not a crash of the loader.
                        if (!args.TryAdd(name, value)) throw new RuleRejectedException($"'{name}' given twice");
                    }
                    uint gid = OptionText.UInt(args.GetValueOrDefault("gen_id", "1"), "gen_id");
                    uint sigId = OptionText.UInt(args.GetValueOrDefault("sig_id", ""), "sig_id");
                    _eventFilters.Add((gid, sigId, EventFilter.Parse(rest, detection: false), $"{file}:{line}"));
                }
                catch (RuleRejectedException e)
                {
                    _report.Notes.Add($"{file}:{line}: {word} ignored: {e.Message}");
                }
                return;
        }
        if (ActionOf(word) is null && word is not "rewrite" and not "activate" and not "dynamic")
        {
            _report.Notes.Add($"{file}:{line}: ignored '{word}' line");
            return;
        }
        Rule? rule = null;
        uint? sid = SidOf(stmt);
        try
        {
            rule = ParseRule(stmt, word, rest, dialect, $"{file}:{line}");
        }
        catch (RuleRejectedException e)
        {
            _report.Reject(new Rejection(file, line, sid, e.Reason, e.Detail));
            return;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException or InvalidOperationException)
        {
            // An option parser that met text it did not expect: the rule is refused like any
            // other malformed rule, and loading goes on (found by the rule-parser fuzzer).
            _report.Reject(new Rejection(file, line, sid, "malformed option", e.Message));
            return;
        }
        var key = (rule.Gid, rule.Sid);
        if (_bySid.TryGetValue(key, out int existing))
        {
            // Snort keeps one rule per gid:sid; the later definition wins.
            var old = _rules[existing];
            _report.Reject(new Rejection(file, line, sid, "duplicate gid:sid", $"earlier at {old.Origin}"));
            _rules[existing] = rule;
            return;
        }
        _bySid[key] = _rules.Count;
        _rules.Add(rule);
    }

    /// <summary>Applies standalone event filters and returns the rules; call once after all files.</summary>
    public List<Rule> Finish()
    {
        _context.Finish();
        foreach (var (gid, sid, filter, where) in _eventFilters)
        {
            if (!_bySid.TryGetValue((gid, sid), out int idx))
            {
                _report.Notes.Add($"{where}: event_filter for unknown rule {gid}:{sid}");
                continue;
            }
            var r = _rules[idx];
            _rules[idx] = CopyWithThreshold(r, filter);
        }
        _report.Loaded = _rules.Count;
        return _rules;
    }

    private static Rule CopyWithThreshold(Rule r, EventFilter f) => new()
    {
        Action = r.Action, Protocol = r.Protocol, Source = r.Source, SourcePorts = r.SourcePorts, Destination = r.Destination,
        DestinationPorts = r.DestinationPorts, Bidirectional = r.Bidirectional, Gid = r.Gid, Sid = r.Sid, Rev = r.Rev,
        Message = r.Message, Classtype = r.Classtype, Classification = r.Classification, Priority = r.Priority,
        References = r.References, Metadata = r.Metadata, Services = r.Services, Detection = r.Detection,
        FastPattern = r.FastPattern, Flow = r.Flow, FlowbitChanges = r.FlowbitChanges, NoAlert = r.NoAlert,
        Threshold = f, DetectionFilter = r.DetectionFilter, Tag = r.Tag, Origin = r.Origin,
    };

    private static RuleAction? ActionOf(string word) => word switch
    {
        "alert" => RuleAction.Alert,
        "log" => RuleAction.Log,
        "pass" => RuleAction.Pass,
        "drop" => RuleAction.Drop,
        "sdrop" => RuleAction.Sdrop,
        "block" => RuleAction.Block,
        "reject" => RuleAction.Reject,
        _ => null,
    };

    private static uint? SidOf(string stmt)
    {
        var m = SidRegex().Match(stmt);
        return m.Success && uint.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out uint s) ? s : null;
    }

    [GeneratedRegex(@"[;(\s]sid\s*:\s*(\d+)")]
    private static partial Regex SidRegex();

    [GeneratedRegex(@"content\s*:\s*!?\s*""(?:[^""\\]|\\.)*""\s*,|[;(]\s*service\s*:")]
    private static partial Regex Snort3Marker();

    private static bool LooksLikeSnort3(string text) => Snort3Marker().IsMatch(text);

    private Rule ParseRule(string stmt, string word, string rest, RuleDialect dialect, string origin)
    {
        var action = ActionOf(word) ?? throw new RuleRejectedException("unsupported action", word);
        int open = rest.IndexOf('(');
        int close = rest.LastIndexOf(')');
        if (open < 0 || close < open) throw new RuleRejectedException("rule without option list");
        string header = rest[..open].Trim();
        string body = rest[(open + 1)..close];

        var b = new RuleBuilder(dialect, _context);
        var head = Header(header, b);

        foreach (var (name, value) in SplitOptions(body))
        {
            if (!OptionRegistry.TryGet(name, out var parse)) throw new RuleRejectedException($"unsupported option '{name}'");
            parse(value, b);
        }
        if (b.Sid is null) throw new RuleRejectedException("missing sid");
        string classification = "";
        int priority = 3;
        if (b.Classtype.Length > 0 && _context.Classifications.TryGet(b.Classtype, out string text, out int p))
        {
            classification = text;
            priority = p;
        }
        if (b.Priority is { } explicitPriority) priority = explicitPriority;
        var detection = b.Detection.ToArray();
        MarkRetries(detection);
        return new Rule
        {
            Action = action,
            Protocol = head.Protocol,
            Source = head.Src,
            SourcePorts = head.SrcPorts,
            Destination = head.Dst,
            DestinationPorts = head.DstPorts,
            Bidirectional = head.Bidirectional,
            Gid = b.Gid,
            Sid = b.Sid.Value,
            Rev = b.Rev,
            Message = b.Message ?? "",
            Classtype = b.Classtype,
            Classification = classification,
            Priority = priority,
            References = b.References,
            Metadata = b.Metadata,
            Services = b.Services,
            Detection = detection,
            FastPattern = ChooseFastPattern(detection),
            Flow = b.Flow,
            FlowbitChanges = [.. b.FlowbitChanges],
            NoAlert = b.NoAlert,
            Threshold = b.Threshold,
            DetectionFilter = b.DetectionFilter,
            Tag = b.Tag,
            Origin = origin,
        };
    }

    private readonly record struct HeaderFields(RuleProtocol Protocol, AddressSet Src, PortSet SrcPorts, AddressSet Dst, PortSet DstPorts, bool Bidirectional);

    private HeaderFields Header(string header, RuleBuilder b)
    {
        var t = Tokens(header);
        if (t.Count == 0)
        {
            // Snort 3 header-less rule: any IP traffic, narrowed by its options.
            return new HeaderFields(RuleProtocol.Ip, AddressSet.Any, PortSet.Any, AddressSet.Any, PortSet.Any, false);
        }
        if (t.Count == 1)
        {
            // Snort 3 service rule: traffic with the service's standard ports on either side.
            var (proto, ports) = ServicePorts(t[0]);
            b.Services.Add(t[0]);
            return new HeaderFields(proto, AddressSet.Any, PortSet.Any, AddressSet.Any, _headers.Port(ports), true);
        }
        if (t.Count != 6) throw new RuleRejectedException("bad rule header", header);
        var protocol = t[0] switch
        {
            "ip" => RuleProtocol.Ip,
            "tcp" => RuleProtocol.Tcp,
            "udp" => RuleProtocol.Udp,
            "icmp" => RuleProtocol.Icmp,
            _ => throw new RuleRejectedException("unsupported protocol", t[0]),
        };
        bool bidi = t[3] switch
        {
            "->" => false,
            "<>" => true,
            "<-" => throw new RuleRejectedException("direction <- not supported"),
            _ => throw new RuleRejectedException("bad direction", t[3]),
        };
        return new HeaderFields(protocol, _headers.Address(t[1]), _headers.Port(t[2]), _headers.Address(t[4]), _headers.Port(t[5]), bidi);
    }

    private static (RuleProtocol, string) ServicePorts(string service) => service switch
    {
        "http" => (RuleProtocol.Tcp, "$HTTP_PORTS"),
        "ssl" => (RuleProtocol.Tcp, "[443,465,563,636,989,992,993,994,995,7801,7802,7900:7920]"),
        "smtp" => (RuleProtocol.Tcp, "[25,465,587,691]"),
        "ftp" => (RuleProtocol.Tcp, "$FTP_PORTS"),
        "ssh" => (RuleProtocol.Tcp, "$SSH_PORTS"),
        "telnet" => (RuleProtocol.Tcp, "23"),
        "pop3" => (RuleProtocol.Tcp, "[110,995]"),
        "imap" => (RuleProtocol.Tcp, "[143,993]"),
        "dns" => (RuleProtocol.Ip, "53"),
        "sip" => (RuleProtocol.Ip, "$SIP_PORTS"),
        "netbios-ssn" or "smb" => (RuleProtocol.Tcp, "[139,445]"),
        "dcerpc" => (RuleProtocol.Tcp, "[135,139,445,593]"),
        "file" => throw new RuleRejectedException("file rules need file inspection"),
        _ => throw new RuleRejectedException("service header without port mapping", service),
    };

    /// <summary>Header tokens; brackets may hold spaces.</summary>
    private static List<string> Tokens(string header)
    {
        var list = new List<string>();
        var sb = new StringBuilder();
        int level = 0;
        foreach (char c in header)
        {
            if (c == '[') level++;
            if (c == ']') level--;
            if (char.IsWhiteSpace(c) && level == 0)
            {
                if (sb.Length > 0) list.Add(sb.ToString());
                sb.Clear();
                continue;
            }
            if (!char.IsWhiteSpace(c)) sb.Append(c);
        }
        if (sb.Length > 0) list.Add(sb.ToString());
        return list;
    }

    /// <summary>Splits the option list on <c>;</c> outside quotes (a backslash escapes the next character).</summary>
    private static List<(string Name, string Value)> SplitOptions(string body)
    {
        var result = new List<(string, string)>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c == '\\' && i + 1 < body.Length)
            {
                sb.Append(c).Append(body[++i]);
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted)
            {
                Add(sb.ToString());
                sb.Clear();
                continue;
            }
            sb.Append(c);
        }
        if (quoted) throw new RuleRejectedException("unterminated quote");
        Add(sb.ToString());
        return result;

        void Add(string opt)
        {
            opt = opt.Trim();
            if (opt.Length == 0) return;
            int colon = opt.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) result.Add((opt, ""));
            else result.Add((opt[..colon].Trim(), opt[(colon + 1)..].Trim()));
        }
    }

    /// <summary>A content or pcre retries only when something after it depends on the cursor.</summary>
    private static void MarkRetries(DetectionOption[] detection)
    {
        bool laterRelative = false;
        for (int i = detection.Length - 1; i >= 0; i--)
        {
            switch (detection[i])
            {
                case ContentOption c: c.Retry = laterRelative; break;
                case PcreOption p: p.Retry = laterRelative; break;
            }
            laterRelative |= detection[i].IsRelative;
        }
    }

    /// <summary>
    /// The content marked fast_pattern, else the longest positive content (Snort's choice). A
    /// negated content cannot select candidates (its absence is what matches), so a rule marking one
    /// falls back to its longest positive content: every content must match, and each buffer is a
    /// slice of the payload, so any positive content's bytes occur in a payload the rule matches.
    /// Without one the rule has no fast pattern and is a candidate by header alone.
    /// </summary>
    private static ContentOption? ChooseFastPattern(DetectionOption[] detection)
    {
        ContentOption? best = null;
        foreach (var o in detection)
        {
            if (o is not ContentOption c) continue;
            if (c.FastPattern && !c.Negated) return c;
            if (!c.Negated && (best is null || c.Pattern.Length > best.Pattern.Length)) best = c;
        }
        return best;
    }
}
