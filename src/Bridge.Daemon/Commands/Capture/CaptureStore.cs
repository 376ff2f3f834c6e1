using System.Runtime.CompilerServices;
using Bridge.Capture;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Core;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Commands.Capture;

/// <summary>
/// The capture registry of a running bridge: one per <see cref="IBridgeRuntime"/>, created on first
/// use with one slot per worker. Captures are exec-mode state on FTD (never in the running config),
/// so they live here beside the runtime rather than in the configuration.
/// </summary>
public static class CaptureStore
{
    private static readonly ConditionalWeakTable<IBridgeRuntime, CaptureRegistry> Registries = new();

    /// <summary>
    /// The runtime's registry, its captures recompiled first if a reload installed a new
    /// configuration since they were built (workers meanwhile find interfaces by name).
    /// </summary>
    public static CaptureRegistry For(IBridgeRuntime runtime)
    {
        var registry = Registries.GetValue(runtime, r => new CaptureRegistry(Math.Max(1, r.Workers.Count)));
        registry.Refresh(runtime.Workers);
        return registry;
    }

    /// <summary>Sets the host's capture memory limit (<c>Bridge:Capture:MemoryLimit</c>, bytes).</summary>
    public static void Configure(IBridgeRuntime runtime, long memoryLimitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryLimitBytes, 0);
        For(runtime).MemoryLimitBytes = memoryLimitBytes;
    }

    /// <summary>
    /// Keeps the runtime's captures in <paramref name="ringDirectory"/> from now on, first re-creating
    /// the ones a previous run of the daemon left there (kill, crash or clean stop alike). Every
    /// capture restored and every file discarded is logged; a directory that cannot be used leaves
    /// captures in memory only, with a warning, and never stops the daemon.
    /// </summary>
    public static void Restore(IBridgeRuntime runtime, string ringDirectory, ILogger logger)
    {
        try
        {
            var report = For(runtime).Attach(new CaptureRingDirectory(ringDirectory), new Names(runtime.Snapshot), runtime.Workers);
            foreach (var line in report) logger.LogInformation("{Line}", line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("captures are kept in memory only (they will not survive a restart): {Directory}: {Reason}", ringDirectory, e.Message);
        }
    }

    /// <summary>Runs a per-worker action on each worker's own thread (the rings have no locks).</summary>
    public static Func<Action<int>, Task> OnEachWorker(CommandContext ctx) =>
        action => ctx.Runtime.RunOnWorkers(dp => action(dp.WorkerIndex), ctx.Cancellation);

    /// <summary>The words after the first <paramref name="fixedWords"/> of the typed line, with their typed columns.</summary>
    public static List<ArgToken> Arguments(CommandContext ctx, int fixedWords)
    {
        var tokens = CommandTree.Tokenize(ctx.Line);
        var args = new List<ArgToken>();
        for (int i = fixedWords; i < tokens.Count; i++) args.Add(new ArgToken(tokens[i].Text, tokens[i].Column));
        return args;
    }

    /// <summary>An FTD-style failure for a bad <c>capture</c> line: caret under the word, or the message alone.</summary>
    public static CommandResult Failure(CommandContext ctx, CaptureSyntaxException e)
    {
        if (e.Incomplete) return CommandResult.Fail(CommandTree.IncompleteCommand);
        if (e.Column >= 0 && e.Message == CommandTree.InvalidInput) return CommandResult.Fail(CommandTree.Marker(ctx.Line, e.Column));
        return CommandResult.Fail(e.Message);
    }

    public static string NoSuchCapture(string name) => $"ERROR: Capture <{name}> does not exist";

    /// <summary>Interface and access-list names of the running configuration.</summary>
    public sealed class Names(RuntimeSnapshot snapshot) : ICaptureNames
    {
        public bool InterfaceExists(string nameIf) => snapshot.FindNameIf(nameIf) >= 0;

        public bool AccessListExists(string name) => snapshot.Config.FindAccessList(name) is not null;
    }
}
