using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Runtime;

namespace Bridge.Daemon.Commands;

/// <summary>Everything a command handler gets: the runtime, the caller, the matched values and the output channel.</summary>
public sealed class CommandContext
{
    public required IBridgeRuntime Runtime { get; init; }

    public required ControlPlaneState State { get; init; }

    public required AdminSession Session { get; init; }

    /// <summary>Matched tokens by node name: keywords under their own word, parameters under their name.</summary>
    public required IReadOnlyDictionary<string, string> Values { get; init; }

    /// <summary>The command line as typed.</summary>
    public required string Line { get; init; }

    /// <summary>The grammar's reading of <see cref="Line"/>, with abbreviations written out (<see cref="ParseResult.Expanded"/>).</summary>
    public required ParseResult Parsed { get; init; }

    /// <summary>True when the client asked for JSON (<c>--json</c>).</summary>
    public bool Json { get; init; }

    /// <summary>Cancelled when the client cancels the request or goes away.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Sends part of the output before the command ends (long-running commands).</summary>
    public Func<string, Task> Stream { get; init; } = _ => Task.CompletedTask;

    public bool Has(string name) => Values.ContainsKey(name);

    public string? Get(string name) => Values.TryGetValue(name, out var v) ? v : null;
}
