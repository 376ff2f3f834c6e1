using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// The lines of the running config's canonical text, being edited by one configuration command.
/// The line the operator typed is remembered so that a parse error on it can be pointed at with
/// <c>^</c> in the typed text rather than in the generated file.
/// </summary>
public sealed class ConfigDraft(BridgeConfig current)
{
    public BridgeConfig Current { get; } = current;

    public List<string> Lines { get; } = [.. current.ToText().TrimEnd('\n').Split('\n')];

    internal int TypedIndex { get; private set; } = -1;

    internal ParseResult? Typed { get; private set; }

    /// <summary>Characters written before the typed command on its line (a block's sub-command is indented).</summary>
    internal int TypedIndent { get; private set; }

    /// <summary>
    /// Adds the typed command, keywords written out, at the end: the parser wants references
    /// defined above their use, and everything in the running config is.
    /// </summary>
    public void AppendTyped(ParseResult typed) => InsertTyped(Lines.Count, typed, "");

    /// <summary>Puts the typed command, keywords written out, at line <paramref name="index"/> behind <paramref name="indent"/>.</summary>
    public void InsertTyped(int index, ParseResult typed, string indent)
    {
        Typed = typed;
        TypedIndex = index;
        TypedIndent = indent.Length;
        Lines.Insert(index, indent + typed.Expanded);
    }

    public int RemoveWhere(Func<string, bool> predicate) => Lines.RemoveAll(l => predicate(l));

    public string Text => string.Join('\n', Lines) + "\n";
}

/// <summary>
/// Configuration changes at the prompt: the command edits the running config's canonical text, the
/// result goes through <see cref="BridgeConfig.Parse"/> (so a bad line is refused with the
/// parser's reason and nothing changes) and then <c>IBridgeRuntime.Apply</c>. Changes are
/// serialised by <see cref="ControlPlaneState.ConfigLock"/>.
/// </summary>
public static class RunningConfigEditor
{
    /// <summary>
    /// Runs <paramref name="edit"/> on a draft of the running config and installs the result.
    /// <paramref name="edit"/> returns an error text to refuse the change before parsing, or null.
    /// </summary>
    public static async Task<CommandResult> ChangeAsync(CommandContext ctx, Func<ConfigDraft, string?> edit)
    {
        await ctx.State.ConfigLock.WaitAsync(ctx.Cancellation).ConfigureAwait(false);
        try
        {
            var draft = new ConfigDraft(ctx.Runtime.Snapshot.Config);
            if (edit(draft) is { } refusal) return CommandResult.Fail(refusal);
            BridgeConfig next;
            try
            {
                next = BridgeConfig.Parse(draft.Text, "running-config");
            }
            catch (ConfigException e)
            {
                return CommandResult.Fail(Describe(e, draft, ctx.Line));
            }
            var result = ctx.Runtime.Apply(next);
            return result.Applied ? CommandResult.Ok("") : CommandResult.Fail("ERROR: " + result.Message);
        }
        finally
        {
            ctx.State.ConfigLock.Release();
        }
    }

    /// <summary>The parser's complaint, with the <c>^</c> marker when it is about the typed line.</summary>
    private static string Describe(ConfigException e, ConfigDraft draft, string typed)
    {
        if (draft.Typed is { } parsed && e.Line == draft.TypedIndex + 1)
        {
            int column = parsed.TypedColumn(Math.Max(0, e.Column - 1 - draft.TypedIndent));
            return CommandTree.Marker(typed, Math.Min(column, typed.TrimEnd().Length)) + "ERROR: " + e.Reason + "\n";
        }
        return "ERROR: " + e.Reason + "\n";
    }
}
