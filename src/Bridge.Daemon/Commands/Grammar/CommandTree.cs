using System.Text;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Commands.Grammar;

/// <summary>A word of the command line and where it starts (0-based column).</summary>
public readonly record struct LineToken(string Text, int Column);

public enum ParseStatus
{
    Complete,
    Incomplete,
    Ambiguous,
    Invalid,
}

/// <summary>
/// What the grammar made of a line: the command node reached, the matched values by name, and on
/// failure the token to point at.
/// </summary>
public sealed record ParseResult(ParseStatus Status, GrammarNode Node, IReadOnlyDictionary<string, string> Values, int ErrorColumn)
{
    public CommandHandler? Handler => Status == ParseStatus.Complete ? Node.Handler : null;

    /// <summary>The line with every abbreviated keyword written out (<c>sh run</c> becomes <c>show running-config</c>), words separated by one space.</summary>
    public string Expanded { get; init; } = "";

    /// <summary>Where each word starts in <see cref="Expanded"/> and in the typed line.</summary>
    public IReadOnlyList<(int Expanded, int Typed)> Segments { get; init; } = [];

    /// <summary>
    /// This command without its words <paramref name="first"/> to <paramref name="first"/> +
    /// <paramref name="count"/> - 1 (<c>line 3</c> of an access-list entry, which places the
    /// entry but is not part of it); the remaining words keep their typed columns.
    /// </summary>
    public ParseResult WithoutWords(int first, int count)
    {
        int from = Segments[first].Expanded;
        int to = first + count < Segments.Count ? Segments[first + count].Expanded : Expanded.Length + 1;
        int removed = to - from;
        var segments = new List<(int, int)>(Segments.Count - count);
        for (int i = 0; i < Segments.Count; i++)
        {
            if (i < first) segments.Add(Segments[i]);
            else if (i >= first + count) segments.Add((Segments[i].Expanded - removed, Segments[i].Typed));
        }
        return this with { Expanded = (Expanded[..from] + (to <= Expanded.Length ? Expanded[to..] : "")).TrimEnd(), Segments = segments };
    }

    /// <summary>The typed-line column of a column of <see cref="Expanded"/>.</summary>
    public int TypedColumn(int expandedColumn)
    {
        var best = (Expanded: 0, Typed: 0);
        foreach (var s in Segments)
        {
            if (s.Expanded <= expandedColumn) best = s;
        }
        return best.Typed + (expandedColumn - best.Expanded);
    }
}

/// <summary>
/// The daemon's one command tree. Matching rules follow FTD: an exact keyword wins, then an exact
/// value of an enumerated parameter (a nameif, a list name), then a keyword that the token
/// abbreviates uniquely, then a typed parameter that accepts the token. Several abbreviated
/// keywords and no exact match is ambiguous.
/// </summary>
public sealed class CommandTree
{
    public const string InvalidInput = "ERROR: % Invalid input detected at '^' marker.";
    public const string IncompleteCommand = "% Incomplete command";

    private readonly Dictionary<string, CommandTree> _modes = new(StringComparer.Ordinal);

    private CommandTree() : this(GrammarNode.CreateRoot())
    {
    }

    private CommandTree(GrammarNode root) => Root = root;

    public GrammarNode Root { get; }

    public static CommandTree Build(IEnumerable<ICommandModule> modules)
    {
        var tree = new CommandTree();
        foreach (var m in modules) m.Register(tree.Root);
        foreach (var (name, root) in tree.Root.SubModes) tree._modes[name] = new CommandTree(root);
        return tree;
    }

    /// <summary>The tree of configuration sub-mode <paramref name="mode"/>, or null when no command opens it.</summary>
    public CommandTree? Mode(string mode) => _modes.GetValueOrDefault(mode);

    public static List<LineToken> Tokenize(string line)
    {
        var tokens = new List<LineToken>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            if (i > start) tokens.Add(new LineToken(line[start..i], start));
        }
        return tokens;
    }

    public ParseResult Parse(string line, RuntimeSnapshot? snapshot)
    {
        var tokens = Tokenize(line);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = Root;
        var expanded = new StringBuilder();
        var segments = new List<(int, int)>();
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var match = Match(node, t.Text, snapshot, out bool ambiguous);
            if (ambiguous) return new ParseResult(ParseStatus.Ambiguous, node, values, t.Column);
            if (match is null) return new ParseResult(ParseStatus.Invalid, node, values, t.Column);
            node = match;
            if (expanded.Length > 0) expanded.Append(' ');
            segments.Add((expanded.Length, t.Column));
            if (node.Type is { TakesRest: true })
            {
                string rest = line[t.Column..].TrimEnd();
                values[node.Name] = rest;
                expanded.Append(rest);
                break;
            }
            values[node.Name] = node.IsKeyword ? node.Word! : t.Text;
            expanded.Append(values[node.Name]);
        }
        var status = node.Handler is not null || (node == Root && tokens.Count == 0) ? ParseStatus.Complete : ParseStatus.Incomplete;
        return new ParseResult(status, node, values, status == ParseStatus.Complete ? -1 : line.Length)
        {
            Expanded = expanded.ToString(),
            Segments = segments,
        };
    }

    /// <summary>The child that <paramref name="token"/> selects, or null (with <paramref name="ambiguous"/> set when several fit).</summary>
    public static GrammarNode? Match(GrammarNode node, string token, RuntimeSnapshot? snapshot, out bool ambiguous)
    {
        ambiguous = false;
        foreach (var c in node.Children)
        {
            if (c.IsKeyword && string.Equals(c.Word, token, StringComparison.OrdinalIgnoreCase)) return c;
        }
        foreach (var c in node.Children)
        {
            if (c.Type is { Enumerated: true } && c.Type.Accepts(token, snapshot)) return c;
        }
        GrammarNode? prefix = null;
        foreach (var c in node.Children)
        {
            if (c.IsKeyword && c.Word!.StartsWith(token, StringComparison.OrdinalIgnoreCase))
            {
                if (prefix is not null)
                {
                    ambiguous = true;
                    return null;
                }
                prefix = c;
            }
        }
        if (prefix is not null) return prefix;
        foreach (var c in node.Children)
        {
            if (c.Type is { Enumerated: false } && c.Type.Accepts(token, snapshot)) return c;
        }
        return null;
    }

    /// <summary>The FTD error text for a failed parse of <paramref name="line"/>.</summary>
    public static string ErrorText(ParseResult result, string line) => result.Status switch
    {
        ParseStatus.Ambiguous => $"% Ambiguous command:  \"{line.Trim()}\"\n",
        ParseStatus.Incomplete => IncompleteCommand + "\n",
        ParseStatus.Invalid => Marker(line, result.ErrorColumn),
        _ => "",
    };

    /// <summary>The line, a caret under <paramref name="column"/>, and the FTD invalid-input message.</summary>
    public static string Marker(string line, int column) =>
        $"{line.TrimEnd()}\n{new string(' ', Math.Max(0, column))}^\n{InvalidInput}\n";

    /// <summary>
    /// <c>?</c> help. After a space (or on an empty line): the next words with their help text, one
    /// per line, and <c>&lt;cr&gt;</c> when the command may end here. After a partial word: the
    /// words it can begin, on one line.
    /// </summary>
    public string Help(string line, RuntimeSnapshot? snapshot)
    {
        bool partial = line.Length > 0 && !char.IsWhiteSpace(line[^1]);
        var tokens = Tokenize(line);
        string? last = partial ? tokens[^1].Text : null;
        string prefixLine = partial ? line[..tokens[^1].Column] : line;
        var walk = Parse(prefixLine, snapshot);
        if (walk.Status is ParseStatus.Invalid or ParseStatus.Ambiguous) return ErrorText(walk, line);
        var node = walk.Node;
        if (node.Type is { TakesRest: true })
        {
            // Inside free text: nothing more the grammar can tell, except that the line may end.
            return node.Handler is null ? "" : "  <cr>\n";
        }
        if (last is not null)
        {
            var words = new List<string>();
            foreach (var c in node.Children)
            {
                if (c.IsKeyword && c.Word!.StartsWith(last, StringComparison.OrdinalIgnoreCase)) words.Add(c.Word);
                else if (c.Type is { Enumerated: true }) words.AddRange(c.Type.Values(snapshot).Where(v => v.StartsWith(last, StringComparison.Ordinal)));
            }
            words.Sort(StringComparer.Ordinal);
            if (words.Count == 0) return Marker(line, tokens[^1].Column);
            return Columns(words.Distinct());
        }
        var rows = new List<(string Word, string Help)>();
        foreach (var c in node.Children.Where(c => c.IsKeyword).OrderBy(c => c.Word, StringComparer.Ordinal)) rows.Add((c.Word!, c.Help));
        foreach (var c in node.Children.Where(c => !c.IsKeyword)) rows.Add((c.Type!.Display, c.Help));
        if (node.Handler is not null) rows.Add(("<cr>", ""));
        int width = Math.Max(15, rows.Count == 0 ? 0 : rows.Max(r => r.Word.Length) + 2);
        var sb = new StringBuilder();
        foreach (var (word, help) in rows)
        {
            sb.Append("  ").Append(help.Length == 0 ? word : word.PadRight(width) + help).Append('\n');
        }
        return sb.ToString();
    }

    private static string Columns(IEnumerable<string> words)
    {
        var sb = new StringBuilder();
        int col = 0;
        foreach (var w in words)
        {
            if (col > 0 && col + w.Length + 2 > 79)
            {
                sb.Append('\n');
                col = 0;
            }
            if (col > 0)
            {
                sb.Append("  ");
                col += 2;
            }
            sb.Append(w);
            col += w.Length;
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>
    /// Tab completion: the words that can replace the last partial word of <paramref name="line"/>
    /// (or follow it, after a space), and the column where the replaced word starts.
    /// </summary>
    public (IReadOnlyList<string> Candidates, int From) Complete(string line, RuntimeSnapshot? snapshot)
    {
        bool partial = line.Length > 0 && !char.IsWhiteSpace(line[^1]);
        var tokens = Tokenize(line);
        string last = partial ? tokens[^1].Text : "";
        int from = partial ? tokens[^1].Column : line.Length;
        var walk = Parse(line[..from], snapshot);
        if (walk.Status is ParseStatus.Invalid or ParseStatus.Ambiguous || walk.Node.Type is { TakesRest: true }) return ([], from);
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in walk.Node.Children)
        {
            if (c.IsKeyword)
            {
                if (c.Word!.StartsWith(last, StringComparison.OrdinalIgnoreCase)) words.Add(c.Word);
            }
            else if (c.Type is { Enumerated: true })
            {
                foreach (var v in c.Type.Values(snapshot))
                {
                    if (v.StartsWith(last, StringComparison.Ordinal)) words.Add(v);
                }
            }
        }
        return ([.. words], from);
    }
}
