#if FAULT_INJECTION
namespace Bridge.Pipeline.Core;

/// <summary>
/// Test-only fault injection, compiled only with the FAULT_INJECTION symbol (Debug builds, or
/// <c>-p:FaultInjection=true</c>): armed for one stage type and a number of packets, it makes that
/// stage (or, for <c>SNORT</c>, the rules engine call) throw, so the tests can prove that a fault
/// costs one packet with a counted reason and never the worker. Release builds contain neither
/// this type nor the calls to it.
/// </summary>
public static class FaultHook
{
    // Written by the control plane, read by every worker: one volatile reference read per stage
    // call while unarmed.
    private static volatile string? _stage;
    private static int _remaining;

    /// <summary>The stage type the hook is armed for, or null.</summary>
    public static string? ArmedStage => _stage;

    /// <summary>Faults still to inject.</summary>
    public static int Remaining => Volatile.Read(ref _remaining);

    /// <summary>Makes the next <paramref name="count"/> calls of stage <paramref name="stageType"/> (FTD phase name) throw.</summary>
    public static void Arm(string stageType, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _stage = null;
        Volatile.Write(ref _remaining, count);
        _stage = stageType;
    }

    public static void Disarm()
    {
        _stage = null;
        Volatile.Write(ref _remaining, 0);
    }

    /// <summary>Throws <see cref="InjectedFaultException"/> when armed for <paramref name="stageType"/> and faults remain.</summary>
    public static void Hit(string stageType)
    {
        var armed = _stage;
        if (armed is null || !ReferenceEquals(armed, stageType) && !string.Equals(armed, stageType, StringComparison.Ordinal))
            return;
        // Several workers may race for the last faults: the decrement hands out exactly the armed count.
        int left = Interlocked.Decrement(ref _remaining);
        if (left < 0)
        {
            Interlocked.Increment(ref _remaining);
            return;
        }
        if (left == 0)
            _stage = null;
        throw new InjectedFaultException(stageType);
    }
}

/// <summary>The exception <see cref="FaultHook"/> injects.</summary>
public sealed class InjectedFaultException(string stageType) : Exception($"injected fault in stage {stageType}")
{
    public string StageType { get; } = stageType;
}
#endif
