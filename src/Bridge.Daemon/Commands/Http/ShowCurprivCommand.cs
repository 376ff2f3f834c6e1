using System.Globalization;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Http;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Commands.Http;

/// <summary>
/// <c>show curpriv</c> (ASA): who this session is and at which privilege level, which the web pages
/// show in their header. A web session's level is its <c>username</c> line's; a socket session has
/// no such line, so its role stands for ASA's two levels (15 privileged, 1 user EXEC).
/// </summary>
public sealed class ShowCurprivCommand : ICommandModule
{
    private const int UserExecPrivilege = 1;

    public void Register(GrammarNode root) =>
        CommonWords.Show(root).Keyword("curpriv", "Display current privilege level").Runs(Run, Privilege.Monitor);

    /// <summary>The level of <paramref name="session"/>: its account's when the account grants exactly the session's role.</summary>
    public static int PrivilegeOf(AdminSession session, BridgeConfig config)
    {
        // A unix user named like a username line is not that web user: the role must agree too.
        if (config.FindUser(session.User) is { } account && BasicAuthenticator.RoleOf(account) == session.Role)
            return account.Privilege;
        return session.Role == AdminRole.Admin ? UserAccount.AdminPrivilege : UserExecPrivilege;
    }

    private static CommandResult Run(CommandContext ctx)
    {
        var session = ctx.Session;
        int privilege = PrivilegeOf(session, ctx.Runtime.Snapshot.Config);
        string mode = session.ConfigMode ? "P_CONF" : session.Role == AdminRole.Admin ? "P_PRIV" : "P_UNPR";
        string text = string.Create(CultureInfo.InvariantCulture,
            $"Username : {session.User}\nCurrent privilege level : {privilege}\nCurrent Mode/s : {mode}\n");
        var json = new JsonObject
        {
            ["username"] = session.User,
            ["privilege"] = privilege,
            ["role"] = session.Role == AdminRole.Admin ? "admin" : "monitor",
            ["mode"] = mode,
        };
        return CommandResult.Ok(text, json);
    }
}
