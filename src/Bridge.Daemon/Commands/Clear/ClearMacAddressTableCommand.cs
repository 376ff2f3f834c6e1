using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.L2;

namespace Bridge.Daemon.Commands.Clear;

/// <summary><c>clear mac-address-table [NAMEIF]</c>: ages out the entries at once (the table is lock-free and shared, so clearing from here is safe).</summary>
public sealed class ClearMacAddressTableCommand : ICommandModule
{
    public void Register(GrammarNode root)
    {
        var mat = CommonWords.Clear(root).Keyword("mac-address-table", "Clear dynamic MAC address table entries").Runs(Run, Privilege.Admin);
        mat.Param(ParamType.NameIf, "nameif", "Clear entries learned on this interface only").Runs(Run, Privilege.Admin);
    }

    private static CommandResult Run(CommandContext ctx)
    {
        int iface = ctx.Get("nameif") is { } n ? ctx.Runtime.Snapshot.FindNameIf(n) : -1;
        var done = new HashSet<MacTable>(ReferenceEqualityComparer.Instance);
        foreach (var w in ctx.Runtime.Workers)
        {
            if (done.Add(w.Macs)) w.Macs.Clear(iface);
        }
        return CommandResult.Ok("");
    }
}
