using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// One sub-command of a configuration block (<c>nameif</c> under <c>interface</c>,
/// <c>network-object</c> under <c>object-group network</c>). A single-valued one replaces the
/// block's lines whose first word is in <see cref="Replaces"/> (its own word by default: a second
/// <c>nameif</c> renames, <c>subnet</c> replaces a <c>host</c>); a repeating one adds a line
/// unless the same line is there. <c>no WORD</c> removes the word's lines; a repeating
/// sub-command's <c>no</c> names the one line to remove.
/// </summary>
public sealed record BlockCommand(string Word, string Help)
{
    /// <summary>The value after the word; null for a bare word such as <c>shutdown</c>.</summary>
    public ParamType? Argument { get; init; }

    public string ArgumentHelp { get; init; } = "";

    /// <summary>Keywords offered instead of a free argument (<c>port-driver afpacket|pcap</c>).</summary>
    public IReadOnlyList<(string Word, string Help)> Choices { get; init; } = [];

    public bool Repeats { get; init; }

    public IReadOnlyList<string>? Replaces { get; init; }
}

/// <summary>
/// Configuration sub-modes, as on ASA: a block header typed at the prompt (<c>interface eth2</c>)
/// opens the block's sub-mode, whose lines edit that block of the running config in place. Each
/// line is a change of its own, checked by the config parser and applied at once (a wrong value is
/// refused with <c>^</c> under it, nothing changes); a new block appears in the running config
/// with its first line. <c>exit</c> returns to the configuration mode, <c>end</c> to exec.
/// </summary>
public static class ConfigBlockEditor
{
    /// <summary>Registers sub-mode <paramref name="mode"/> with <paramref name="commands"/>, their <c>no</c> forms, <c>exit</c> and <c>end</c>.</summary>
    public static void RegisterMode(GrammarNode root, string mode, IReadOnlyList<BlockCommand> commands)
    {
        var modeRoot = root.SubMode(mode);
        var no = CommonWords.No(modeRoot);
        foreach (var c in commands)
        {
            var word = modeRoot.Keyword(c.Word, c.Help);
            var negated = no.Keyword(c.Word, c.Help);
            if (c.Choices.Count > 0)
            {
                foreach (var (choice, help) in c.Choices) word.Keyword(choice, help).Runs(ctx => SetAsync(ctx, c), Privilege.Admin);
            }
            else if (c.Argument is { } argument)
            {
                word.Param(argument, "value", c.ArgumentHelp).Runs(ctx => SetAsync(ctx, c), Privilege.Admin);
            }
            else
            {
                word.Runs(ctx => SetAsync(ctx, c), Privilege.Admin);
            }
            if (c.Repeats)
            {
                negated.Param(c.Argument ?? ParamType.Line, "value", c.ArgumentHelp).Runs(ctx => RemoveAsync(ctx, c), Privilege.Admin);
            }
            else
            {
                negated.Runs(ctx => RemoveAsync(ctx, c), Privilege.Admin);
                // "no nameif INSIDE", "no vlan 1577": the value is allowed and does not matter, as on ASA.
                negated.Param(ParamType.Line, "value", "Current value (optional)").Runs(ctx => RemoveAsync(ctx, c), Privilege.Admin);
            }
        }
        modeRoot.Keyword("exit", "Exit from this sub-mode").Runs(Leave, Privilege.Monitor);
        modeRoot.Keyword("end", "Exit from configure mode").Runs(ctx => ConfigureTerminalCommand.Mode(ctx, false), Privilege.Monitor);
    }

    /// <summary>
    /// Opens the sub-mode for <paramref name="header"/>. Nothing changes yet: an empty block is not
    /// a valid object, so a new block is written with its first sub-command. A name already used
    /// by a block of another kind is refused here, before any line is typed.
    /// </summary>
    public static CommandResult Enter(CommandContext ctx, string mode, string header, string? objectName = null)
    {
        if (objectName is not null)
        {
            foreach (var line in ctx.Runtime.Snapshot.Config.ToText().Split('\n'))
            {
                var words = CommandTree.Tokenize(line);
                if (words.Count >= 3 && words[0].Column == 0 && words[0].Text is "object" or "object-group"
                    && words[2].Text == objectName && Normalize(line) != header)
                {
                    return CommandResult.Fail($"ERROR: '{objectName}' is already defined as '{Normalize(line)}'\n");
                }
            }
        }
        ctx.Session.ConfigMode = true;
        ctx.Session.Block = new ConfigBlock(mode, header);
        return CommandResult.Ok("");
    }

    /// <summary><c>no object network NAME</c> and the like: removes the block whose header begins with <paramref name="headerPrefix"/>.</summary>
    public static Task<CommandResult> RemoveBlockAsync(CommandContext ctx, string headerPrefix) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            int start = draft.Lines.FindIndex(l => Normalize(l) == headerPrefix || Normalize(l).StartsWith(headerPrefix + " ", StringComparison.Ordinal));
            if (start < 0) return $"ERROR: {headerPrefix} is not configured\n";
            draft.Lines.RemoveRange(start, BlockEnd(draft.Lines, start) - start);
            if (ctx.Session.Block is { } open && Normalize(open.Header).StartsWith(headerPrefix, StringComparison.Ordinal)) ctx.Session.Block = null;
            return null;
        });

    private static CommandResult Leave(CommandContext ctx)
    {
        ctx.Session.Block = null;
        return CommandResult.Ok("");
    }

    private static Task<CommandResult> SetAsync(CommandContext ctx, BlockCommand c)
    {
        var block = ctx.Session.Block!;
        string typed = Normalize(ctx.Parsed.Expanded);
        var replaces = c.Replaces ?? [c.Word];
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            var lines = draft.Lines;
            int start = lines.FindIndex(l => l == block.Header);
            if (start < 0)
            {
                lines.Add(block.Header);
                start = lines.Count - 1;
            }
            int end = BlockEnd(lines, start);
            int at = end;
            for (int i = end - 1; i > start; i--)
            {
                string existing = Normalize(lines[i]);
                if (c.Repeats ? existing == typed : replaces.Contains(FirstWord(existing)))
                {
                    lines.RemoveAt(i);
                    at = i;
                }
            }
            draft.InsertTyped(Math.Min(at, BlockEnd(lines, start)), ctx.Parsed, " ");
            return null;
        });
    }

    private static Task<CommandResult> RemoveAsync(CommandContext ctx, BlockCommand c)
    {
        var block = ctx.Session.Block!;
        string target = c.Repeats ? Normalize(c.Word + " " + ctx.Get("value")) : c.Word;
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            var lines = draft.Lines;
            int start = lines.FindIndex(l => l == block.Header);
            int removed = 0;
            if (start >= 0)
            {
                for (int i = BlockEnd(lines, start) - 1; i > start; i--)
                {
                    string existing = Normalize(lines[i]);
                    if (c.Repeats ? existing == target : FirstWord(existing) == target)
                    {
                        lines.RemoveAt(i);
                        removed++;
                    }
                }
            }
            // Removing a value that is not set is quietly accepted (no shutdown on an up port), a
            // member that is not in the group is not: the operator mistyped it.
            return removed == 0 && c.Repeats ? $"ERROR: '{target}' is not in {block.Header}\n" : null;
        });
    }

    /// <summary>Index after the last line of the block whose header is at <paramref name="header"/>: its sub-commands are indented.</summary>
    internal static int BlockEnd(List<string> lines, int header)
    {
        int i = header + 1;
        while (i < lines.Count && lines[i].Length > 0 && char.IsWhiteSpace(lines[i][0])) i++;
        return i;
    }

    private static string FirstWord(string normalized)
    {
        int space = normalized.IndexOf(' ');
        return space < 0 ? normalized : normalized[..space];
    }

    /// <summary>Words separated by single spaces, without the indentation: how lines are compared.</summary>
    private static string Normalize(string line) => string.Join(' ', CommandTree.Tokenize(line).Select(t => t.Text));
}
