using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Capture;

/// <summary><c>clear capture NAME | /all</c>: empties the buffers, keeps the definitions.</summary>
public sealed class ClearCaptureCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        CommonWords.Clear(root).Keyword("capture", "Clear capture buffers")
            .Param(ParamType.Word, "name", "Capture name, or /all for every capture").Runs(Run, Privilege.Admin);
    }

    private static async Task<CommandResult> Run(CommandContext ctx)
    {
        var registry = CaptureStore.For(ctx.Runtime);
        string name = ctx.Get("name")!;
        var onEach = CaptureStore.OnEachWorker(ctx);
        if (name == "/all")
        {
            foreach (var def in registry.Definitions) await registry.ClearAsync(def.Name, onEach).ConfigureAwait(false);
            return CommandResult.Ok("");
        }
        return await registry.ClearAsync(name, onEach).ConfigureAwait(false)
            ? CommandResult.Ok("")
            : CommandResult.Fail(CaptureStore.NoSuchCapture(name));
    }
}
