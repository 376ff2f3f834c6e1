using System.Globalization;
using Bridge.Daemon.Commands.Config;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Http;

/// <summary>
/// <c>username NAME password SECRET [encrypted] [privilege N]</c> and <c>no username NAME</c>. The
/// clear secret is hashed here, before the line reaches the config text, so the running config,
/// <c>write memory</c> and any parse error only ever see the hash. Re-entering a user replaces it.
/// </summary>
public sealed class UsernameConfigCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var secret = root.Keyword("username", "Configure a user for the HTTPS server")
            .Param(ParamType.Word, "name", "User name (up to 64 characters)")
            .Keyword("password", "Set the user's password")
            .Param(ParamType.Word, "secret", "The password (kept only as a PBKDF2 hash)");
        Levels(secret);
        Levels(secret.Keyword("encrypted", $"The password is already a hash ({PasswordHash.Prefix}...)"));
        CommonWords.No(root).Keyword("username", "Remove a user")
            .Param(ParamType.Word, "name", "User name").Runs(Remove, Privilege.Admin);
    }

    private static void Levels(GrammarNode node)
    {
        node.Runs(Add, Privilege.Admin);
        node.Keyword("privilege", "Set the user's privilege level (15: may change the bridge)")
            .Param(ParamType.Number(0, 15), "level", "Privilege level").Runs(Add, Privilege.Admin);
    }

    private static Task<CommandResult> Add(CommandContext ctx)
    {
        string name = ctx.Get("name")!;
        string secret = ctx.Get("secret")!;
        if (ctx.Has("encrypted") && !PasswordHash.IsWellFormed(secret))
        {
            return Task.FromResult(CommandResult.Fail($"ERROR: an encrypted password is written {PasswordHash.Prefix}ITERATIONS$SALT$KEY"));
        }
        int privilege = ctx.Get("level") is { } level ? int.Parse(level, CultureInfo.InvariantCulture) : UserAccount.DefaultPrivilege;
        var user = new UserAccount(name, ctx.Has("encrypted") ? secret : PasswordHash.Create(secret), privilege);
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => l.StartsWith("username " + name + " ", StringComparison.Ordinal));
            draft.Lines.Add(user.Text);
            return null;
        });
    }

    private static Task<CommandResult> Remove(CommandContext ctx)
    {
        string prefix = "username " + ctx.Get("name") + " ";
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
            draft.RemoveWhere(l => l.StartsWith(prefix, StringComparison.Ordinal)) > 0 ? null : $"ERROR: username {ctx.Get("name")} does not exist");
    }
}
