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

    /// <summary>True when the caller answers prompts (an interactive <c>bridgectl</c>, or piped input feeding answers).</summary>
    public bool Interactive { get; init; }

    /// <summary>Puts one question to the caller: (prompt, secret) → the answer line.</summary>
    public Func<string, bool, Task<string>> AskCaller { get; init; } = (_, _) => Task.FromResult("");

    /// <summary>
    /// FTD's dialog prompts (<c>Source capture name [CAPI]?</c>): the caller's answer line, "" for
    /// "take the default" (also what a caller that cannot answer gets). <paramref name="secret"/>:
    /// the client does not echo the answer (passwords).
    /// </summary>
    public Task<string> Ask(string prompt, bool secret = false) => AskCaller(prompt, secret);

    public bool Has(string name) => Values.ContainsKey(name);

    public string? Get(string name) => Values.TryGetValue(name, out var v) ? v : null;
}
