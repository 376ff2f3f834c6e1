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
        "type {raw-data|asp-drop [KEYWORD|all]} | access-list ACL | buffer <1534-33554432> | ethernet-type TYPE | interface NAMEIF | " +
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

    private static CommandResult Define(CommandContext ctx)
    {
        var registry = CaptureStore.For(ctx.Runtime);
        string name = ctx.Get("name")!;
        try
        {
            var def = CaptureSyntax.Apply(registry.Find(name), name, CaptureStore.Arguments(ctx, 2), new CaptureStore.Names(ctx.Runtime.Snapshot));
            registry.Define(def, ctx.Runtime.Workers);
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
