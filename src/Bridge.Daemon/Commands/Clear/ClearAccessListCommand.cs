using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Clear;

/// <summary>
/// <c>clear access-list NAME counters</c>: zeroes the hit counts of the list's ACEs in every
/// worker (plain long arrays; see <see cref="ClearAspDropCommand"/> for why a racing increment is acceptable).
/// </summary>
public sealed class ClearAccessListCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        CommonWords.Clear(root).Keyword("access-list", "Clear access list counters")
            .Param(ParamType.AccessListName, "name", "Access list name")
            .Keyword("counters", "Clear access list hit counters").Runs(Run, Privilege.Admin);

    private static CommandResult Run(CommandContext ctx)
    {
        string name = ctx.Get("name")!;
        var policy = ctx.Runtime.Snapshot.Policy;
        foreach (var w in ctx.Runtime.Workers)
        {
            var hits = w.AclHits;
            if (!ReferenceEquals(w.Snapshot.Policy, policy)) continue;
            for (int i = 0; i < policy.AceCount && i < hits.Length; i++)
            {
                if (policy.Ace(i).ListName == name) hits[i] = 0;
            }
        }
        return CommandResult.Ok("");
    }
}
