using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

internal enum FlowbitsOp : byte
{
    Set,
    SetX,
    Unset,
    Toggle,
    IsSet,
    IsNotSet,
}

/// <summary>
/// <c>flowbits</c>: per-flow named bits. Checks (isset, isnotset) are detection options in rule
/// order; changes (set, setx, unset, toggle) run only once the whole rule has matched, which is
/// Snort's order (a rule that sets a bit and fails sets nothing). <c>a|b</c> means any,
/// <c>a&amp;b</c> all; <c>all,group</c> / <c>any,group</c> name a group's bits; <c>noalert</c>
/// suppresses the rule's event.
/// </summary>
internal sealed class FlowbitsOption : TestOption
{
    private readonly int[] _bits;
    private readonly FlowbitGroup? _group;
    private readonly bool _all;

    private FlowbitsOption(FlowbitsOp op, int[] bits, bool all, FlowbitGroup? group)
    {
        Op = op;
        _bits = bits;
        _all = all;
        _group = group;
    }

    public FlowbitsOp Op { get; }

    public bool IsCheck => Op is FlowbitsOp.IsSet or FlowbitsOp.IsNotSet;

    public override bool Test(ref Evaluation e)
    {
        var bits = e.FlowBits;
        if (bits.IsEmpty) return Op == FlowbitsOp.IsNotSet;
        if (_bits.Length == 0 && _group is not null)
        {
            var mask = _group.Mask;
            bool anySet = false, allSet = true;
            for (int w = 0; w < mask.Length && w < bits.Length; w++)
            {
                ulong m = mask[w] & bits[w];
                anySet |= m != 0;
                allSet &= m == mask[w];
            }
            bool set = _all ? allSet : anySet;
            return Op == FlowbitsOp.IsSet ? set : !set;
        }
        if (Op == FlowbitsOp.IsSet)
        {
            if (_all)
            {
                foreach (int b in _bits) if (!Get(bits, b)) return false;
                return true;
            }
            foreach (int b in _bits) if (Get(bits, b)) return true;
            return false;
        }
        if (_all)
        {
            foreach (int b in _bits) if (Get(bits, b)) return false;
            return true;
        }
        foreach (int b in _bits) if (!Get(bits, b)) return true;
        return false;
    }

    /// <summary>Applies set/unset/toggle to the flow's bits after the rule matched.</summary>
    public void Apply(Span<ulong> bits)
    {
        if (bits.IsEmpty) return;
        if (Op == FlowbitsOp.SetX && _group is not null)
        {
            var mask = _group.Mask;
            for (int w = 0; w < mask.Length && w < bits.Length; w++) bits[w] &= ~mask[w];
        }
        if (_bits.Length == 0 && _group is not null)
        {
            var mask = _group.Mask;
            for (int w = 0; w < mask.Length && w < bits.Length; w++)
            {
                bits[w] = Op switch
                {
                    FlowbitsOp.Unset => bits[w] & ~mask[w],
                    FlowbitsOp.Toggle => bits[w] ^ mask[w],
                    _ => bits[w] | mask[w],
                };
            }
            return;
        }
        foreach (int b in _bits)
        {
            ref ulong word = ref bits[b >> 6];
            ulong m = 1UL << (b & 63);
            word = Op switch
            {
                FlowbitsOp.Unset => word & ~m,
                FlowbitsOp.Toggle => word ^ m,
                _ => word | m,
            };
        }
    }

    private static bool Get(Span<ulong> bits, int b) => (bits[b >> 6] & (1UL << (b & 63))) != 0;

    public static void Parse(string value, RuleBuilder b)
    {
        var args = OptionText.SplitArgs(value);
        string opName = args[0];
        if (opName == "noalert")
        {
            b.NoAlert = true;
            return;
        }
        if (opName == "reset") throw new RuleRejectedException("flowbits:reset not supported");
        var op = opName switch
        {
            "set" => FlowbitsOp.Set,
            "setx" => FlowbitsOp.SetX,
            "unset" => FlowbitsOp.Unset,
            "toggle" => FlowbitsOp.Toggle,
            "isset" => FlowbitsOp.IsSet,
            "isnotset" => FlowbitsOp.IsNotSet,
            _ => throw new RuleRejectedException("bad flowbits operation", opName),
        };
        if (args.Count < 2) throw new RuleRejectedException("flowbits needs a name", value);
        string names = args[1];
        FlowbitGroup? group = args.Count >= 3 ? b.Shared.Group(args[2]) : null;
        if (op == FlowbitsOp.SetX && group is null) throw new RuleRejectedException("flowbits:setx needs a group");
        FlowbitsOption option;
        if (names is "all" or "any" && group is not null && op != FlowbitsOp.Set && op != FlowbitsOp.SetX)
        {
            option = new FlowbitsOption(op, [], names == "all", group);
        }
        else
        {
            bool all = names.Contains('&', StringComparison.Ordinal);
            bool any = names.Contains('|', StringComparison.Ordinal);
            if (all && any) throw new RuleRejectedException("flowbits mixes & and |", names);
            if (any && op is not (FlowbitsOp.IsSet or FlowbitsOp.IsNotSet)) throw new RuleRejectedException("flowbits | only for checks", names);
            var parts = names.Split(all ? '&' : '|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var bits = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                bits[i] = b.Shared.Bit(parts[i]);
                group?.Add(bits[i]);
            }
            // Sets with & set every name; checks with & need every name.
            option = new FlowbitsOption(op, bits, all || !any, group);
        }
        if (option.IsCheck) b.Add(option);
        else b.FlowbitChanges.Add(option);
    }
}
