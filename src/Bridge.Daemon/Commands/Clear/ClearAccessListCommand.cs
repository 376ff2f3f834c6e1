using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Clear;

/// <summary>
/// <c>clear access-list NAME counters</c>: zeroes the hit counts of the list's ACEs in every
/// worker (plain long arrays, zeroed on the worker's own thread like <see cref="ClearAspDropCommand"/>).
/// </summary>
public sealed class ClearAccessListCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        CommonWords.Clear(root).Keyword("access-list", "Clear access list counters")
            .Param(ParamType.AccessListName, "name", "Access list name")
            .Keyword("counters", "Clear access list hit counters").Runs(Run, Privilege.Admin);

    private static async Task<CommandResult> Run(CommandContext ctx)
    {
        string name = ctx.Get("name")!;
        var policy = ctx.Runtime.Snapshot.Policy;
        await ctx.Runtime.RunOnWorkers(w =>
        {
            var hits = w.AclHits;
            if (!ReferenceEquals(w.Snapshot.Policy, policy)) return;
            for (int i = 0; i < policy.AceCount && i < hits.Length; i++)
            {
                if (policy.Ace(i).ListName == name) hits[i] = 0;
            }
        }, ctx.Cancellation).ConfigureAwait(false);
        return CommandResult.Ok("");
    }
}
