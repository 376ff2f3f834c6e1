using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Acl;

namespace Bridge.Daemon.Commands.Show;

/// <summary><c>show access-list [NAME]</c>: <see cref="ShowAccessList"/> over the hit counts summed across workers.</summary>
public sealed class ShowAccessListCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var acl = CommonWords.Show(root).Keyword("access-list", "Show hit counters for access policies").Runs(Run, Privilege.Monitor);
        acl.Param(ParamType.AccessListName, "name", "Access list name").Runs(Run, Privilege.Monitor);
    }

    /// <summary>Hit counts of the running policy, summed over workers (a worker still on an older policy is skipped).</summary>
    public static long[] Hits(IBridgeRuntime runtime, CompiledPolicy policy)
    {
        var hits = new long[policy.AceCount];
        foreach (var w in runtime.Workers)
        {
            var src = w.AclHits;
            if (!ReferenceEquals(w.Snapshot.Policy, policy) || src.Length < hits.Length) continue;
            for (int i = 0; i < hits.Length; i++) hits[i] += Volatile.Read(ref src[i]);
        }
        return hits;
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var policy = ctx.Runtime.Snapshot.Policy;
        var hits = Hits(ctx.Runtime, policy);
        string? name = ctx.Get("name");
        string text = ShowAccessList.Render(policy, hits, name);
        var lists = new JsonObject();
        for (int i = 0; i < policy.AceCount; i++)
        {
            var ace = policy.Ace(i);
            if (name is not null && ace.ListName != name) continue;
            if (lists[ace.ListName] is not JsonArray aces)
            {
                aces = [];
                lists[ace.ListName] = aces;
            }
            aces.Add(new JsonObject
            {
                ["line"] = ace.Line,
                ["text"] = ace.ExpandedLine ?? ace.AceLine,
                ["action"] = ace.Action.ToString().ToLowerInvariant(),
                ["ruleId"] = ace.RuleId,
                ["inactive"] = ace.Inactive,
                ["hitcnt"] = hits[i],
            });
        }
        return CommandResult.Ok(text, new JsonObject { ["accessLists"] = lists });
    }
}
