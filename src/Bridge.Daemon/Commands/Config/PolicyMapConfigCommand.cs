using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// ASA's connection settings at the prompt: <c>policy-map NAME</c> opens <c>config-pmap</c>,
/// <c>class class-default</c> there opens <c>config-pmap-c</c>, where
/// <c>[no] set connection conn-max N | embryonic-conn-max N | timeout embryonic H:MM:SS</c> edit
/// the class; <c>[no] service-policy NAME global</c> binds the policy to all traffic and
/// <c>no policy-map NAME</c> deletes one not in use. Each line is appended to its block of the
/// running config and goes through the config parser, which merges it into the canonical form
/// (limits on one line) or refuses it with <c>^</c> under the word at fault.
/// </summary>
public sealed class PolicyMapConfigCommand : ICommandModule
{
    public const string PolicyMode = "config-pmap";
    public const string ClassMode = "config-pmap-c";

    public void Register(GrammarNode root)
    {
        root.Keyword("policy-map", "Configure a policy map (connection settings for all traffic)")
            .Param(ParamType.Word, "name", "Policy map name (up to 40 characters)")
            .Runs(ctx => ConfigBlockEditor.Enter(ctx, PolicyMode, "policy-map " + ctx.Get("name")), Privilege.Admin);
        var no = CommonWords.No(root);
        no.Keyword("policy-map", "Delete a policy map not bound by a service-policy")
            .Param(ParamType.Word, "name", "Policy map name").Runs(AppendGlobal, Privilege.Admin);

        var servicePolicy = root.Keyword("service-policy", "Bind a policy map to all traffic");
        servicePolicy.Param(ParamType.Word, "name", "Policy map name").Keyword("global", "Apply to all interfaces").Runs(Bind, Privilege.Admin);
        no.Keyword("service-policy", "Remove the global service policy")
            .Param(ParamType.Word, "name", "Policy map name").Keyword("global", "The global binding").Runs(AppendGlobal, Privilege.Admin);

        var pmap = root.SubMode(PolicyMode);
        pmap.Keyword("class", "Policy criteria").Keyword("class-default", "All traffic (the only class Bridge supports)").Runs(OpenClass, Privilege.Admin);
        CommonWords.No(pmap).Keyword("class", "Remove a class from the policy map")
            .Keyword("class-default", "All traffic").Runs(ctx => AppendToBlock(ctx, " "), Privilege.Admin);
        pmap.Keyword("exit", "Exit from policy-map configuration mode").Runs(ctx => Leave(ctx, null), Privilege.Monitor);
        pmap.Keyword("end", "Exit from configure mode").Runs(ctx => ConfigureTerminalCommand.Mode(ctx, false), Privilege.Monitor);

        var pclass = root.SubMode(ClassMode);
        RegisterSetConnection(pclass.Keyword("set", "Set connection values").Keyword("connection", "Connection limits and timeouts"), negated: false);
        RegisterSetConnection(CommonWords.No(pclass).Keyword("set", "Set connection values").Keyword("connection", "Connection limits and timeouts"), negated: true);
        pclass.Keyword("exit", "Exit from the class of the policy map").Runs(ctx => Leave(ctx, PolicyMode), Privilege.Monitor);
        pclass.Keyword("end", "Exit from configure mode").Runs(ctx => ConfigureTerminalCommand.Mode(ctx, false), Privilege.Monitor);
    }

    private static void RegisterSetConnection(GrammarNode connection, bool negated)
    {
        foreach (var (word, help) in new[] { ("conn-max", "Maximum number of simultaneous connections, 0 = no limit"), ("embryonic-conn-max", "Maximum number of simultaneous embryonic (half-open TCP) connections, 0 = no limit") })
        {
            var limit = connection.Keyword(word, help);
            var value = limit.Param(ParamType.Number(0, 2_000_000), word, "Connections, over all workers");
            value.Runs(ctx => AppendToBlock(ctx, "  "), Privilege.Admin);
            // Both limits on one line, as the running config prints them.
            if (word == "conn-max" && !negated)
            {
                value.Keyword("embryonic-conn-max", "Maximum number of simultaneous embryonic connections, 0 = no limit")
                    .Param(ParamType.Number(0, 2_000_000), "embryonic", "Connections, over all workers").Runs(ctx => AppendToBlock(ctx, "  "), Privilege.Admin);
            }
            if (negated) limit.Runs(ctx => AppendToBlock(ctx, "  "), Privilege.Admin);
        }
        var embryonic = connection.Keyword("timeout", "Connection timeouts").Keyword("embryonic", "Time until an unfinished TCP handshake is dropped, default 0:00:30");
        embryonic.Param(ParamType.Word, "duration", "hh:mm:ss, at least 0:00:05").Runs(ctx => AppendToBlock(ctx, "  "), Privilege.Admin);
        if (negated) embryonic.Runs(ctx => AppendToBlock(ctx, "  "), Privilege.Admin);
    }

    private static Task<CommandResult> OpenClass(CommandContext ctx)
    {
        string header = ctx.Session.Block!.Header;
        return ContinueWith(AppendToBlock(ctx, " ", unlessPresent: true), ctx, () => ctx.Session.Block = new ConfigBlock(ClassMode, header));
    }

    private static CommandResult Leave(CommandContext ctx, string? parentMode)
    {
        ctx.Session.Block = parentMode is null ? null : ctx.Session.Block! with { Mode = parentMode };
        return CommandResult.Ok("");
    }

    private static async Task<CommandResult> ContinueWith(Task<CommandResult> change, CommandContext ctx, Action onSuccess)
    {
        var result = await change.ConfigureAwait(false);
        if (result.Status == 0) onSuccess();
        return result;
    }

    /// <summary>
    /// Appends the typed line behind <paramref name="indent"/> at the end of the open policy-map
    /// block (creating the block on its first line); the parser applies it to what is above.
    /// </summary>
    private static Task<CommandResult> AppendToBlock(CommandContext ctx, string indent, bool unlessPresent = false)
    {
        string header = ctx.Session.Block!.Header;
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            var lines = draft.Lines;
            int start = lines.IndexOf(header);
            if (start < 0)
            {
                lines.Add(header);
                start = lines.Count - 1;
            }
            int end = ConfigBlockEditor.BlockEnd(lines, start);
            if (unlessPresent && lines.GetRange(start + 1, end - start - 1).Contains(indent + ctx.Parsed.Expanded)) return null;
            draft.InsertTyped(end, ctx.Parsed, indent);
            return null;
        });
    }

    private static Task<CommandResult> AppendGlobal(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.AppendTyped(ctx.Parsed);
            return null;
        });

    private static Task<CommandResult> Bind(CommandContext ctx) =>
        RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            // One global policy, as on ASA: binding another replaces it.
            draft.RemoveWhere(l => l.StartsWith("service-policy ", StringComparison.Ordinal) && l.EndsWith(" global", StringComparison.Ordinal));
            draft.AppendTyped(ctx.Parsed);
            return null;
        });
}
