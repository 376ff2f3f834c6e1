using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// <c>[no] access-group LIST {global | in interface NAMEIF}</c>. Binding a list where a list of the
/// same kind (extended or ethertype) is already bound replaces it, as on ASA.
/// </summary>
public sealed class AccessGroupConfigCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        Bind(root.Keyword("access-group", "Bind an access list to an interface or globally"), Add);
        Bind(CommonWords.No(root).Keyword("access-group", "Unbind an access list"), Remove);
    }

    private static void Bind(GrammarNode node, Func<CommandContext, Task<CommandResult>> handler)
    {
        var list = node.Param(ParamType.AccessListName, "list", "Access list name");
        list.Keyword("global", "Apply to all interfaces").Runs(c => handler(c), Privilege.Admin);
        list.Keyword("in", "Filter traffic entering the interface")
            .Keyword("interface", "Name of the interface")
            .Param(ParamType.NameIf, "nameif", "Interface name (nameif)").Runs(c => handler(c), Privilege.Admin);
    }

    private static AccessGroupConfig Target(CommandContext ctx) => new(ctx.Get("list")!, ctx.Get("nameif"));

    private static Task<CommandResult> Add(CommandContext ctx)
    {
        var group = Target(ctx);
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            var kind = draft.Current.FindAccessList(group.ListName)?.Kind;
            foreach (var existing in draft.Current.AccessGroups)
            {
                if (existing.NameIf == group.NameIf && draft.Current.FindAccessList(existing.ListName)?.Kind == kind)
                {
                    draft.Lines.Remove(existing.Text);
                }
            }
            draft.Lines.Add(group.Text);
            return null;
        });
    }

    private static Task<CommandResult> Remove(CommandContext ctx)
    {
        var group = Target(ctx);
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
            draft.Lines.Remove(group.Text) ? null : $"ERROR: {group.Text} is not configured");
    }
}
