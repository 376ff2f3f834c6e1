using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Runtime;

namespace Bridge.Daemon.Commands;

/// <summary>
/// Runs command lines against the runtime: parses with the one tree, checks the caller's role
/// against the command's privilege and calls the handler. Also answers <c>?</c> help and Tab
/// completion from the same tree.
/// </summary>
public sealed class CommandDispatcher(CommandTree tree, IBridgeRuntime runtime, ControlPlaneState state)
{
    public CommandTree Tree => tree;

    public IBridgeRuntime Runtime => runtime;

    public ControlPlaneState State => state;

    public static string Refusal(AdminSession session) =>
        $"ERROR: % Permission denied: user '{session.User}' is neither root nor in group bridge or bridge-admin\n";

    public Task<CommandResult> ExecuteAsync(string line, AdminSession session, bool json, Func<string, Task>? stream, CancellationToken cancellation) =>
        ExecuteAsync(line, session, json, stream, ask: null, cancellation);

    /// <summary>
    /// Runs <paramref name="line"/>. <paramref name="ask"/> puts a question to the caller (prompt,
    /// secret) and returns the answer line; null for a caller that cannot answer, which then gets
    /// every prompt's default.
    /// </summary>
    public async Task<CommandResult> ExecuteAsync(
        string line, AdminSession session, bool json, Func<string, Task>? stream, Func<string, bool, Task<string>>? ask, CancellationToken cancellation)
    {
        if (session.Role == AdminRole.None) return CommandResult.Fail(Refusal(session));
        if (line.TrimEnd().EndsWith('?'))
        {
            // "show ?" typed in one go (bridgectl -c, piped input): the same as pressing ? after "show ".
            string before = line.TrimEnd()[..^1];
            return HelpResult(before, session);
        }
        if (string.IsNullOrWhiteSpace(line)) return CommandResult.Ok("");
        var parsed = Parse(line, session, out bool outsideBlock);
        if (parsed.Status != ParseStatus.Complete || parsed.Handler is null)
        {
            return CommandResult.Fail(CommandTree.ErrorText(parsed, line));
        }
        if ((int)session.Role < (int)parsed.Node.Privilege)
        {
            return CommandResult.Fail($"ERROR: % Permission denied: '{line.Trim()}' changes the bridge; it needs {session.AdminRequirement} (user '{session.User}' may only show)\n");
        }
        var block = session.Block;
        var ctx = new CommandContext
        {
            Runtime = runtime,
            State = state,
            Session = session,
            Values = parsed.Values,
            Line = line,
            Parsed = parsed,
            Json = json,
            Cancellation = cancellation,
            Stream = stream ?? (_ => Task.CompletedTask),
            Interactive = ask is not null,
            AskCaller = ask ?? ((_, _) => Task.FromResult("")),
        };
        try
        {
            var result = await parsed.Handler(ctx).ConfigureAwait(false);
            // A configuration command of the global mode typed in a sub-mode closes the block once
            // it has been taken, as on ASA (unless it opened another); show and packet-tracer, and
            // a refused line, leave it open.
            if (outsideBlock && parsed.Node.Privilege == Privilege.Admin && result.Status == 0 && ReferenceEquals(session.Block, block))
                session.Block = null;
            return result;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return CommandResult.Fail("% Command cancelled\n");
        }
    }

    /// <summary>
    /// Parses <paramref name="line"/> in the caller's mode. In a sub-mode its own commands come
    /// first; a line they do not accept is tried in the global tree (<paramref name="outsideBlock"/>
    /// then true), so <c>show …</c>, <c>no access-list …</c> or the next <c>interface …</c> work
    /// without <c>exit</c>.
    /// </summary>
    public ParseResult Parse(string line, AdminSession session, out bool outsideBlock)
    {
        outsideBlock = false;
        var snapshot = runtime.Snapshot;
        if (ModeTree(session) is not { } mode) return tree.Parse(line, snapshot);
        var inMode = mode.Parse(line, snapshot);
        if (inMode.Status is ParseStatus.Complete or ParseStatus.Incomplete) return inMode;
        var global = tree.Parse(line, snapshot);
        if (global.Status == ParseStatus.Complete)
        {
            outsideBlock = true;
            return global;
        }
        // Neither fits: point at the word where the line went furthest.
        return global.Status == ParseStatus.Invalid && global.ErrorColumn > inMode.ErrorColumn ? global : inMode;
    }

    /// <summary><c>?</c> help in the caller's mode (a sub-mode lists its own commands, as on ASA).</summary>
    public CommandResult HelpResult(string line, AdminSession? session = null) =>
        CommandResult.Ok((ModeTree(session) ?? tree).Help(line, runtime.Snapshot));

    public (IReadOnlyList<string> Candidates, int From) Complete(string line, AdminSession? session = null) =>
        (ModeTree(session) ?? tree).Complete(line, runtime.Snapshot);

    private CommandTree? ModeTree(AdminSession? session) => session?.Block is { } block ? tree.Mode(block.Mode) : null;
}
