using System.Runtime.CompilerServices;
using Bridge.Packets;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;

namespace Bridge.Pipeline.Stages.IpOptions;

/// <summary>
/// IP-OPTIONS: ASA's default IP-options policy. End-of-list, NOP and Router Alert pass; any other
/// IPv4 option (source route, record route, timestamp, ...) drops the packet (<c>invalid-ip-option</c>).
/// Checked on every packet; the trace shows the phase for the first packet of a connection.
/// </summary>
public sealed class IpOptionsStage : Stage
{
    public override string Type => "IP-OPTIONS";

    private static readonly int Dropped = CounterRegistry.Declare("IP-OPTIONS", "dropped", "IPv4 packets dropped for an option the policy does not allow").Index;

    private const byte EndOfList = 0;
    private const byte Nop = 1;
    private const byte RouterAlert = 148;

    public override StageResult Process(ref PacketContext ctx, DataPath dp)
    {
        if (!ctx.Info.IsIp) return StageResult.Continue;
        if (ctx.Info.IsIpv4 && ctx.Info.IpOptionsLength > 0) return WithOptions(ref ctx, dp);
        if (ctx.Trace is not null && !ctx.ExistingFlow) ctx.Trace.Add(Type, "", true);
        return StageResult.Continue;
    }

    // Options are rare: their walk stays out of the per-packet method.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private StageResult WithOptions(ref PacketContext ctx, DataPath dp)
    {
        int bad = FirstDisallowed(ctx.Frame.Slice(ctx.Info.L3Offset + 20, ctx.Info.IpOptionsLength));
        if (bad < 0)
        {
            if (ctx.Trace is not null && !ctx.ExistingFlow) ctx.Trace.Add(Type, "", true);
            return StageResult.Continue;
        }
        if (!ctx.DryRun) dp.Counters[Dropped]++;
        ctx.Trace?.Add(Type, "", false, info: [$"IP option {bad} is not allowed"]);
        return ctx.DropFrame(DropReason.InvalidIpOption);
    }

    /// <summary>The type of the first option the default policy rejects, or -1. The decoder has already checked the option lengths.</summary>
    internal static int FirstDisallowed(ReadOnlySpan<byte> opts)
    {
        int i = 0;
        while (i < opts.Length)
        {
            byte type = opts[i];
            if (type == EndOfList) return -1;
            if (type == Nop)
            {
                i++;
                continue;
            }
            if (type != RouterAlert) return type;
            if (i + 1 >= opts.Length || opts[i + 1] < 2) return type;
            i += opts[i + 1];
        }
        return -1;
    }
}
