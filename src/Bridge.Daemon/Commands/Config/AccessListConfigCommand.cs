using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// <c>access-list NAME [line N] {advanced|extended|ethertype|remark} ...</c> appends an entry, or
/// with <c>line N</c> inserts it as the list's line N (remarks count, as on ASA);
/// <c>no access-list NAME</c> removes the whole list and <c>no access-list NAME ENTRY</c> one entry.
/// The words after the kind are checked by the config parser, which points at the wrong one.
/// </summary>
public sealed class AccessListConfigCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var name = root.Keyword("access-list", "Configure an access control element")
            .Param(ParamType.Word, "name", "Access list identifier (up to 240 characters)");
        Kinds(name);
        Kinds(name.Keyword("line", "Use this to insert ACE at a specified line number").Param(ParamType.Number(1, 2_147_483_647), "line", "Enter line number (1-2147483647)"));

        var no = CommonWords.No(root).Keyword("access-list", "Remove an access list or one of its entries")
            .Param(ParamType.AccessListName, "name", "Access list identifier").Runs(RemoveList, Privilege.Admin);
        no.Param(ParamType.Line, "entry", "The entry to remove, as configured").Runs(RemoveEntry, Privilege.Admin);
    }

    private static void Kinds(GrammarNode name)
    {
        name.Keyword("advanced", "Configure an access policy entry (FTD form, with rule-id)").Param(ParamType.Line, "entry", "protocol, source, destination, [rule-id N] [event-log ...] [log ...] [inactive]").Runs(Add, Privilege.Admin);
        name.Keyword("extended", "Configure an access policy entry").Param(ParamType.Line, "entry", "protocol, source, destination, [log ...] [inactive]").Runs(Add, Privilege.Admin);
        name.Keyword("ethertype", "Configure an EtherType access entry").Param(ParamType.Line, "entry", "{permit|deny} {any|bpdu|ipx|isis|mpls-unicast|mpls-multicast|0x600-0xffff}").Runs(Add, Privilege.Admin);
        name.Keyword("remark", "Specify a comment (remark) for the access list").Param(ParamType.Line, "entry", "Comment up to 100 characters").Runs(Add, Privilege.Admin);
    }

    private static Task<CommandResult> Add(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            if (ctx.Get("line") is not { } lineText)
            {
                draft.AppendTyped(ctx.Parsed);
                return null;
            }
            // Line N of the list is its Nth line in the running config; past the end appends.
            int wanted = int.Parse(lineText, System.Globalization.CultureInfo.InvariantCulture);
            string prefix = "access-list " + ctx.Get("name") + " ";
            int seen = 0, at = -1, last = -1;
            for (int i = 0; i < draft.Lines.Count; i++)
            {
                if (!draft.Lines[i].StartsWith(prefix, StringComparison.Ordinal)) continue;
                last = i;
                if (++seen == wanted) at = i;
            }
            var entry = ctx.Parsed.WithoutWords(2, 2);
            if (at >= 0) draft.InsertTyped(at, entry, "");
            else if (last >= 0) draft.InsertTyped(last + 1, entry, "");
            else draft.AppendTyped(entry);
            return null;
        });

    private static Task<CommandResult> RemoveList(CommandContext ctx)
    {
        string prefix = "access-list " + ctx.Get("name") + " ";
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return null;
        });
    }

    private static Task<CommandResult> RemoveEntry(CommandContext ctx)
    {
        string name = ctx.Get("name")!;
        string prefix = "access-list " + name + " ";
        string typed = prefix + ctx.Get("entry");
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            // The canonical form of the typed entry: parse it appended to the list, then read the
            // list's last line back. Only an exact canonical match is removed.
            var probe = new ConfigDraft(draft.Current);
            probe.Lines.Add(typed);
            string canonical;
            try
            {
                var parsed = BridgeConfig.Parse(probe.Text, "running-config");
                var lines = parsed.ToText("access-list").TrimEnd('\n').Split('\n');
                canonical = lines.Last(l => l.StartsWith(prefix, StringComparison.Ordinal));
            }
            catch (ConfigException e)
            {
                return "ERROR: " + e.Reason;
            }
            int at = draft.Lines.IndexOf(canonical);
            if (at < 0) return $"ERROR: access-list {name}: no such entry: {ctx.Get("entry")}";
            draft.Lines.RemoveAt(at);
            return null;
        });
    }
}
