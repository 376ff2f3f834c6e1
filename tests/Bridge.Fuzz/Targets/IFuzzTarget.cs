namespace Bridge.Fuzz.Targets;

/// <summary>
/// One fuzz target. <see cref="Run"/> feeds one input to the component and catches only the
/// exceptions the component documents for bad input; anything else escapes and is a crash.
/// </summary>
internal interface IFuzzTarget
{
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}

/// <summary>A harness-level invariant broke (not an exception the component threw itself).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
