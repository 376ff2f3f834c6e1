using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Stages.ConnSettings;

namespace Bridge.Daemon.Commands.Show;

/// <summary>
/// <c>show service-policy</c>: the global policy's class-default connection settings with the
/// current and refused connections, as ASA prints them under "Set connection policy". Nothing is
/// printed when no policy is bound globally, as on ASA.
/// </summary>
public sealed class ShowServicePolicyCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        CommonWords.Show(root).Keyword("service-policy", "Show service policies").Runs(Run, Privilege.Monitor);

    private static CommandResult Run(CommandContext ctx)
    {
        var policy = ctx.Runtime.Snapshot.Config.ServicePolicy;
        if (policy.GlobalPolicy is not { } name || policy.Find(name) is not { } map)
            return CommandResult.Ok("", new JsonObject { ["global"] = null });

        long conns = 0, embryonic = 0, connDrops = 0, embryonicDrops = 0;
        foreach (var w in ctx.Runtime.Workers)
        {
            conns += w.Flows.Count;
            embryonic += w.Flows.Embryonic;
            connDrops += Volatile.Read(ref w.Counters[ConnSettingsStage.Limited]);
            embryonicDrops += Volatile.Read(ref w.Counters[ConnSettingsStage.EmbryonicLimited]);
        }
        var c = map.ClassDefault ?? ConnectionSettings.None;
        var timeouts = ctx.Runtime.Snapshot.Config.Timeouts;
        var sb = new StringBuilder();
        sb.Append("\nGlobal policy: \n  Service-policy: ").Append(name).Append('\n');
        if (map.ClassDefault is not null)
        {
            sb.Append("    Class-map: class-default\n");
            sb.Append("      Set connection policy: conn-max ").Append(N(c.ConnMax)).Append(" embryonic-conn-max ").Append(N(c.EmbryonicConnMax)).Append('\n');
            sb.Append("        current embryonic conns ").Append(N(embryonic)).Append(", current conns ").Append(N(conns))
              .Append(", drop ").Append(N(connDrops + embryonicDrops)).Append('\n');
            sb.Append("      Set connection timeout policy:\n");
            sb.Append("        embryonic ").Append(ConfigText.Duration(c.EffectiveEmbryonicTimeout))
              .Append(" half-closed ").Append(ConfigText.Duration(timeouts.TcpHalfClosed))
              .Append(" idle ").Append(ConfigText.Duration(timeouts.Conn)).Append('\n');
        }
        var json = new JsonObject
        {
            ["global"] = name,
            ["connMax"] = c.ConnMax,
            ["embryonicConnMax"] = c.EmbryonicConnMax,
            ["embryonicTimeoutSeconds"] = (long)c.EffectiveEmbryonicTimeout.TotalSeconds,
            ["currentConns"] = conns,
            ["currentEmbryonicConns"] = embryonic,
            ["connLimitDrops"] = connDrops,
            ["embryonicLimitDrops"] = embryonicDrops,
        };
        return CommandResult.Ok(sb.ToString(), json);
    }

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
}
