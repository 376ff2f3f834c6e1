#if FAULT_INJECTION
using System.Globalization;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Stages;

namespace Bridge.Daemon.Commands.Debug;

/// <summary>
/// <c>debug fault stage TYPE count N</c> / <c>undebug fault</c> (test builds only: FAULT_INJECTION):
/// the next N packets make stage TYPE throw (<c>SNORT</c>: the rules engine call), through
/// <see cref="FaultHook"/>. Exists so that the end-to-end tests can prove a fault costs a counted
/// packet and never the worker; a Release bridged has neither the command nor the hook.
/// </summary>
public sealed class DebugFaultCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        root.Keyword("debug", "Debugging functions (see also 'undebug')")
            .Keyword("fault", "Inject faults into the data path (test builds only)")
            .Keyword("stage", "Make a stage throw")
            .Param(ParamType.Word, "type", "Stage type as in packet-tracer (FLOW-LOOKUP, ACCESS-LIST, SNORT, ...)")
            .Keyword("count", "Number of packets to fail")
            .Param(ParamType.Number(1, 1_000_000), "n", "Packets").Runs(Arm, Privilege.Admin);
        root.Keyword("undebug", "Disable debugging functions")
            .Keyword("fault", "Disarm fault injection").Runs(Disarm, Privilege.Admin);
        CommonWords.Show(root)
            .Keyword("debug", "Display the debugging state")
            .Keyword("fault", "Display the armed fault injection").Runs(Show, Privilege.Monitor);
    }

    /// <summary>Stage types the hook knows: every stage of the pipeline, plus SNORT for the engine call.</summary>
    public static IReadOnlyList<string> StageTypes { get; } =
        [.. StageOrder.Create().Select(s => s.Type).Distinct(StringComparer.Ordinal), "SNORT"];

    private static CommandResult Arm(CommandContext ctx)
    {
        string type = ctx.Get("type")!.ToUpperInvariant();
        // The hook compares against the stages' own Type strings; hand it that instance.
        string? known = StageTypes.FirstOrDefault(t => string.Equals(t, type, StringComparison.Ordinal));
        if (known is null)
            return CommandResult.Fail($"ERROR: unknown stage '{type}' (one of {string.Join(", ", StageTypes)})");
        int n = int.Parse(ctx.Get("n")!, CultureInfo.InvariantCulture);
        FaultHook.Arm(known, n);
        return CommandResult.Ok($"fault injection armed: the next {n} packet(s) at stage {known} will fail\n");
    }

    private static CommandResult Disarm(CommandContext ctx)
    {
        FaultHook.Disarm();
        return CommandResult.Ok("fault injection disarmed\n");
    }

    private static CommandResult Show(CommandContext ctx) =>
        CommandResult.Ok(FaultHook.ArmedStage is { } stage
            ? $"fault injection armed at stage {stage}, {FaultHook.Remaining} packet(s) left\n"
            : "fault injection not armed\n");
}
#endif
