using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary><c>timeout {conn|udp|icmp|tcp-half-closed} H:MM:SS</c>: replaces that idle timeout.</summary>
public sealed class TimeoutConfigCommand : ICommandModule
{
    private static readonly (string Word, string Help)[] Kinds =
    [
        ("conn", "Idle time after which a connection closes, default 1:00:00"),
        ("udp", "Idle time after which a UDP slot is freed, default 0:02:00"),
        ("icmp", "Idle time after which an ICMP slot is freed, default 0:00:02"),
        ("tcp-half-closed", "Idle time after which a TCP half-closed connection is freed, default 0:10:00"),
    ];

    public void Register(GrammarNode root)
    {
        var timeout = root.Keyword("timeout", "Configure maximum idle times");
        foreach (var (word, help) in Kinds)
        {
            timeout.Keyword(word, help).Param(ParamType.Word, "duration", "Idle time as hh:mm:ss").Runs(Run, Privilege.Admin);
        }
    }

    private static Task<CommandResult> Run(CommandContext ctx)
    {
        string kind = Kinds.First(k => ctx.Has(k.Word)).Word;
        string prefix = "timeout " + kind + " ";
        return RunningConfigEditor.ChangeAsync(ctx, draft =>
        {
            draft.RemoveWhere(l => l.StartsWith(prefix, StringComparison.Ordinal));
            draft.AppendTyped(ctx.Parsed);
            return null;
        });
    }
}
