using Bridge.Capture;
using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Capture;

/// <summary>
/// <c>capture NAME ARGS</c> defines a capture or adds parameters to it (ftd-reference §1.1, §1.3);
/// <c>no capture NAME</c> removes it, <c>no capture NAME ARGS</c> removes only those parameters.
/// The arguments are read by <see cref="CaptureSyntax"/>, which marks a bad word with the caret.
/// </summary>
public sealed class CaptureCommand : ICommandModule
{
    private const string ArgsHelp =
        "type {raw-data|asp-drop [KEYWORD|all]|alert [sid N]} | access-list ACL | buffer <1534-33554432> | ethernet-type TYPE | interface NAMEIF | " +
        "packet-length <14-9216> | circular-buffer | headers-only | match PROTO SRC [op port] DST [op port] | real-time | trace [detail] [trace-count <1-1000>] | stop";

    public void Register(GrammarNode root)
    {
        root.Keyword("capture", "Capture inbound and outbound packets on one or more interfaces")
            .Param(ParamType.Word, "name", "Capture name")
            .Param(ParamType.Line, "args", ArgsHelp).Runs(Define, Privilege.Admin);

        var no = CommonWords.No(root).Keyword("capture", "Remove a capture or some of its parameters")
            .Param(ParamType.Word, "name", "Capture name").Runs(Remove, Privilege.Admin);
        no.Param(ParamType.Line, "args", "The parameters to remove").Runs(Remove, Privilege.Admin);
    }

    /// <summary>How often a real-time capture looks for new packets.</summary>
    private static readonly TimeSpan RealTimePoll = TimeSpan.FromMilliseconds(200);

    private static async Task<CommandResult> Define(CommandContext ctx)
    {
        var registry = CaptureStore.For(ctx.Runtime);
        string name = ctx.Get("name")!;
        try
        {
            var args = CaptureStore.Arguments(ctx, 2);
            var def = CaptureSyntax.Apply(registry.Find(name), name, args, new CaptureStore.Names(ctx.Runtime.Snapshot));
            registry.Define(def, ctx.Runtime.Workers);
            bool realTime = args.Any(a => a.Text.Length >= 2 && "real-time".StartsWith(a.Text, StringComparison.OrdinalIgnoreCase));
            return realTime ? await StreamAsync(ctx, registry, name).ConfigureAwait(false) : CommandResult.Ok("");
        }
        catch (CaptureSyntaxException e)
        {
            return CaptureStore.Failure(ctx, e);
        }
        catch (CaptureMemoryException e)
        {
            return CommandResult.Fail(e.Message);
        }
    }

    /// <summary>
    /// <c>real-time</c>: the packets the capture stores from now on are sent to the session that
    /// asked, as they arrive, until it cancels (Ctrl+C), as FTD's console display does.
    /// </summary>
    private static async Task<CommandResult> StreamAsync(CommandContext ctx, CaptureRegistry registry, string name)
    {
        var onEach = CaptureStore.OnEachWorker(ctx);
        // Per worker, the first record number not shown yet: each slot numbers its records in order.
        var next = new long[registry.WorkerCount];
        int shown = 0;
        try
        {
            // What was stored before the command ran is history, not real time.
            if (await registry.ReadNewAsync(name, next, onEach).ConfigureAwait(false) is null) return CommandResult.Fail(CaptureStore.NoSuchCapture(name));
            await ctx.Stream("Warning: using this option with a slow console connection may result in an excessive amount of non-displayed packets due to performance limitations.\n" +
                             "Use ctrl-c to terminate real-time capture\n\n").ConfigureAwait(false);
            while (!ctx.Cancellation.IsCancellationRequested)
            {
                var def = registry.Find(name);
                var fresh = await registry.ReadNewAsync(name, next, onEach).ConfigureAwait(false);
                if (def is null || fresh is null) break;
                var text = new System.Text.StringBuilder();
                foreach (var p in fresh)
                {
                    text.Append(CaptureListing.PacketLine(p, ++shown, def.RealTimeDetail));
                    if (def.RealTimeDump) text.Append(AsaPacketFormat.Dump(p));
                }
                if (text.Length > 0) await ctx.Stream(text.ToString()).ConfigureAwait(false);
                await Task.Delay(RealTimePoll, ctx.Cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the normal end of a real-time display.
        }
        return CommandResult.Ok($"{shown} packet{(shown == 1 ? "" : "s")} shown\n");
    }

    private static CommandResult Remove(CommandContext ctx)
    {
        var registry = CaptureStore.For(ctx.Runtime);
        string name = ctx.Get("name")!;
        var def = registry.Find(name);
        if (def is null) return CommandResult.Fail(CaptureStore.NoSuchCapture(name));
        if (!ctx.Has("args"))
        {
            registry.Remove(name, ctx.Runtime.Workers);
            return CommandResult.Ok("");
        }
        try
        {
            var left = CaptureSyntax.Remove(def, CaptureStore.Arguments(ctx, 3));
            if (left is null) registry.Remove(name, ctx.Runtime.Workers);
            else registry.Define(left, ctx.Runtime.Workers);
            return CommandResult.Ok("");
        }
        catch (CaptureSyntaxException e)
        {
            return CaptureStore.Failure(ctx, e);
        }
        catch (CaptureMemoryException e)
        {
            return CommandResult.Fail(e.Message);
        }
    }
}
