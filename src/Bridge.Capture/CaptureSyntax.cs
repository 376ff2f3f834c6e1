using System.Globalization;
using Bridge.Packets;

namespace Bridge.Capture;

/// <summary>A word of the arguments and the column where it starts in the typed line.</summary>
public readonly record struct ArgToken(string Text, int Column);

/// <summary>A failed <c>capture</c> command: the message, and the column of the word to mark with <c>^</c> (-1: no marker).</summary>
public sealed class CaptureSyntaxException(string message, int column = -1) : Exception(message)
{
    public int Column { get; } = column;

    /// <summary>True for "the line ended where a value was needed" (FTD's <c>% Incomplete command</c>).</summary>
    public bool Incomplete { get; init; }
}

/// <summary>What the command-line knows about the running configuration while it parses.</summary>
public interface ICaptureNames
{
    bool InterfaceExists(string nameIf);

    bool AccessListExists(string name);
}

/// <summary>
/// Reads the arguments of <c>capture NAME ...</c> and <c>no capture NAME ...</c> (ftd-reference
/// §1.1). Keywords may be abbreviated to any unique prefix, as everywhere on FTD; values are checked
/// against FTD's ranges and a bad one is marked with the caret.
/// </summary>
public static class CaptureSyntax
{
    private static readonly string[] TopWords =
    [
        "access-list", "buffer", "circular-buffer", "ethernet-type", "headers-only", "interface",
        "match", "packet-length", "real-time", "stop", "trace", "type",
    ];

    public static List<ArgToken> Tokenize(string text, int baseColumn)
    {
        var tokens = new List<ArgToken>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (i > start) tokens.Add(new ArgToken(text[start..i], baseColumn + start));
        }
        return tokens;
    }

    /// <summary>
    /// <c>capture NAME ARGS</c>: the definition after adding <paramref name="args"/> to
    /// <paramref name="existing"/> (or to a new capture). Definitions are additive: each clause
    /// sets its parameter, each <c>match</c> adds a line.
    /// </summary>
    public static CaptureDefinition Apply(CaptureDefinition? existing, string name, IReadOnlyList<ArgToken> args, ICaptureNames names)
    {
        var def = existing ?? new CaptureDefinition { Name = name };
        var reader = new Reader(args);
        while (!reader.End)
        {
            var word = reader.Keyword(TopWords);
            switch (word)
            {
                case "type":
                    {
                        var t = reader.Keyword(["raw-data", "asp-drop", "alert"]);
                        var type = t switch { "raw-data" => CaptureType.RawData, "asp-drop" => CaptureType.AspDrop, _ => CaptureType.Alert };
                        DropReason? filter = null;
                        uint? sid = null;
                        if (type == CaptureType.Alert && !reader.End && reader.PeekIs(["sid"]))
                        {
                            reader.Next();
                            sid = (uint)reader.Number(1, int.MaxValue);
                        }
                        if (type == CaptureType.AspDrop && !reader.End && !reader.PeekIs(TopWords))
                        {
                            var kw = reader.Next();
                            if (kw.Text != "all")
                            {
                                if (!DropCatalogue.TryParse(kw.Text, out var reason)) throw Invalid(kw);
                                filter = reason;
                            }
                        }
                        if (existing is not null && existing.Type != type)
                            throw new CaptureSyntaxException($"ERROR: Capture type cannot be changed; remove capture {name} first");
                        def = def with { Type = type, DropFilter = filter, AlertSid = sid };
                        break;
                    }
                case "access-list":
                    {
                        var acl = reader.Next();
                        if (!names.AccessListExists(acl.Text)) throw new CaptureSyntaxException($"ERROR: access-list {acl.Text} does not exist", acl.Column);
                        def = def with { AccessList = acl.Text };
                        break;
                    }
                case "buffer":
                    def = def with { Buffer = reader.Number(CaptureDefinition.MinBuffer, CaptureDefinition.MaxBuffer) };
                    break;
                case "ethernet-type":
                    {
                        var t = reader.Next();
                        if (!EthernetTypeFilter.TryParse(t.Text, out var et)) throw Invalid(t);
                        def = def with { EthernetType = et };
                        break;
                    }
                case "interface":
                    {
                        var nameIf = reader.Next();
                        if (!names.InterfaceExists(nameIf.Text)) throw Invalid(nameIf);
                        def = def with { Interface = nameIf.Text };
                        break;
                    }
                case "packet-length":
                    def = def with { PacketLength = reader.Number(CaptureDefinition.MinPacketLength, CaptureDefinition.MaxPacketLength) };
                    break;
                case "circular-buffer":
                    def = def with { Circular = true };
                    break;
                case "headers-only":
                    def = def with { HeadersOnly = true };
                    break;
                case "match":
                    {
                        var m = ReadMatch(reader);
                        if (!def.Matches.Contains(m)) def = def with { Matches = [.. def.Matches, m] };
                        break;
                    }
                case "real-time":
                    {
                        bool dump = false, detail = false;
                        // "trace" after real-time is the capture's own trace keyword (same effect: traced packets).
                        while (!reader.End && reader.PeekIs(["dump", "detail"]))
                        {
                            if (reader.Keyword(["dump", "detail"]) == "dump") dump = true;
                            else detail = true;
                        }
                        def = def with { RealTime = true, RealTimeDump = dump, RealTimeDetail = detail };
                        break;
                    }
                case "trace":
                    {
                        bool detail = def.TraceDetail;
                        int count = def.TraceCount;
                        while (!reader.End && reader.PeekIs(["detail", "trace-count"]))
                        {
                            if (reader.Keyword(["detail", "trace-count"]) == "detail") detail = true;
                            else count = reader.Number(1, CaptureDefinition.MaxTraceCount);
                        }
                        def = def with { Trace = true, TraceDetail = detail, TraceCount = count };
                        break;
                    }
                case "stop":
                    def = def with { Stopped = true };
                    break;
            }
        }
        return def;
    }

    /// <summary>
    /// <c>no capture NAME ARGS</c>: the definition without the named parameters (values may be left
    /// out: <c>no capture X buffer</c>), or null when nothing is left to capture on (the last
    /// interface of a raw-data capture removed).
    /// </summary>
    public static CaptureDefinition? Remove(CaptureDefinition def, IReadOnlyList<ArgToken> args)
    {
        var reader = new Reader(args);
        while (!reader.End)
        {
            var at = reader.Peek();
            var word = reader.Keyword(TopWords);
            switch (word)
            {
                case "type":
                    throw new CaptureSyntaxException("ERROR: The capture type cannot be removed; use 'no capture " + def.Name + "'", at.Column);
                case "access-list":
                    SkipValue(reader);
                    def = def with { AccessList = null };
                    break;
                case "buffer":
                    SkipValue(reader);
                    def = def with { Buffer = CaptureDefinition.DefaultBuffer };
                    break;
                case "ethernet-type":
                    SkipValue(reader);
                    def = def with { EthernetType = null };
                    break;
                case "interface":
                    {
                        if (!reader.End && !reader.PeekIs(TopWords))
                        {
                            var nameIf = reader.Next();
                            if (nameIf.Text != def.Interface) throw new CaptureSyntaxException($"ERROR: Capture {def.Name} is not on interface {nameIf.Text}", nameIf.Column);
                        }
                        def = def with { Interface = null };
                        if (def.Type == CaptureType.RawData) return null;
                        break;
                    }
                case "packet-length":
                    SkipValue(reader);
                    def = def with { PacketLength = CaptureDefinition.DefaultPacketLength };
                    break;
                case "circular-buffer":
                    def = def with { Circular = false };
                    break;
                case "headers-only":
                    def = def with { HeadersOnly = false };
                    break;
                case "match":
                    {
                        var m = ReadMatch(reader);
                        if (!def.Matches.Contains(m)) throw new CaptureSyntaxException($"ERROR: Capture {def.Name} has no '{m}'", at.Column);
                        def = def with { Matches = def.Matches.Where(x => x != m).ToArray() };
                        break;
                    }
                case "real-time":
                    while (!reader.End && reader.PeekIs(["dump", "detail"])) reader.Next();
                    def = def with { RealTime = false, RealTimeDump = false, RealTimeDetail = false };
                    break;
                case "trace":
                    while (!reader.End && reader.PeekIs(["detail", "trace-count"]))
                    {
                        if (reader.Keyword(["detail", "trace-count"]) == "trace-count") SkipValue(reader);
                    }
                    def = def with { Trace = false, TraceDetail = false, TraceCount = CaptureDefinition.DefaultTraceCount };
                    break;
                case "stop":
                    def = def with { Stopped = false };
                    break;
            }
        }
        return def;
    }

    private static void SkipValue(Reader reader)
    {
        if (!reader.End && !reader.PeekIs(TopWords)) reader.Next();
    }

    private static CaptureMatch ReadMatch(Reader reader)
    {
        var p = reader.Next();
        if (!PortNames.TryProtocol(p.Text, out string proto, out int number)) throw Invalid(p);
        bool ports = number is 6 or 17;
        var src = ReadAddress(reader);
        var sport = ports ? ReadPort(reader) : default;
        var dst = ReadAddress(reader);
        var dport = ports ? ReadPort(reader) : default;
        return new CaptureMatch(proto, number, src, sport, dst, dport);
    }

    private static AddressMatch ReadAddress(Reader reader)
    {
        var t = reader.Next();
        switch (t.Text.ToLowerInvariant())
        {
            case "any": return AddressMatch.Any;
            case "any4": return new AddressMatch(AddressKind.Any4, default, default, 0);
            case "any6": return new AddressMatch(AddressKind.Any6, default, default, 0);
            case "host":
                {
                    var a = reader.Next();
                    if (!IpAddr.TryParse(a.Text, out var ip)) throw Invalid(a);
                    return AddressMatch.Host(ip);
                }
        }
        int slash = t.Text.IndexOf('/');
        if (slash > 0)
        {
            if (!IpAddr.TryParse(t.Text.AsSpan(0, slash), out var ip6) || ip6.IsV4
                || !int.TryParse(t.Text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int bits) || bits > 128)
                throw Invalid(t);
            return AddressMatch.Prefix6(ip6, bits);
        }
        if (!IpAddr.TryParse(t.Text, out var addr) || !addr.IsV4) throw Invalid(t);
        var m = reader.Next();
        if (!IpAddr.TryParse(m.Text, out var mask) || !AddressMatch.TryMask(addr, mask, out var match)) throw Invalid(m);
        return match;
    }

    private static PortMatch ReadPort(Reader reader)
    {
        if (reader.End || !reader.PeekIs(["eq", "lt", "gt", "neq", "range"], exact: true)) return default;
        var op = reader.Next().Text.ToLowerInvariant();
        ushort first = ReadPortValue(reader);
        if (op == "range")
        {
            var lastToken = reader.Peek();
            ushort last = ReadPortValue(reader);
            if (last < first) throw Invalid(lastToken);
            return new PortMatch(PortOp.Range, first, last);
        }
        var kind = op switch { "eq" => PortOp.Eq, "lt" => PortOp.Lt, "gt" => PortOp.Gt, _ => PortOp.Neq };
        return new PortMatch(kind, first, 0);
    }

    private static ushort ReadPortValue(Reader reader)
    {
        var t = reader.Next();
        if (!PortNames.TryPort(t.Text, out ushort port)) throw Invalid(t);
        return port;
    }

    private static CaptureSyntaxException Invalid(ArgToken t) => new("ERROR: % Invalid input detected at '^' marker.", t.Column);

    /// <summary>Walks the argument words; running out of words where one is needed is an incomplete command.</summary>
    private sealed class Reader(IReadOnlyList<ArgToken> tokens)
    {
        private int _next;

        public bool End => _next >= tokens.Count;

        public ArgToken Peek() => End ? throw Incomplete() : tokens[_next];

        public ArgToken Next() => End ? throw Incomplete() : tokens[_next++];

        public bool PeekIs(IReadOnlyList<string> words, bool exact = false)
        {
            if (End) return false;
            string t = tokens[_next].Text;
            foreach (var w in words)
            {
                if (exact ? string.Equals(w, t, StringComparison.OrdinalIgnoreCase) : w.StartsWith(t, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        /// <summary>The keyword the next word spells or uniquely abbreviates.</summary>
        public string Keyword(IReadOnlyList<string> words)
        {
            var t = Next();
            string? found = null;
            foreach (var w in words)
            {
                if (string.Equals(w, t.Text, StringComparison.OrdinalIgnoreCase)) return w;
                if (w.StartsWith(t.Text, StringComparison.OrdinalIgnoreCase))
                {
                    if (found is not null) throw new CaptureSyntaxException($"% Ambiguous command:  \"{t.Text}\"", t.Column);
                    found = w;
                }
            }
            return found ?? throw Invalid(t);
        }

        public int Number(int min, int max)
        {
            var t = Next();
            if (!int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max) throw Invalid(t);
            return v;
        }

        private static CaptureSyntaxException Incomplete() => new("% Incomplete command") { Incomplete = true };
    }
}
