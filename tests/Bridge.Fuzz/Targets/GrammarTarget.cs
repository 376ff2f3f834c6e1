using System.Text;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;

namespace Bridge.Fuzz.Targets;

/// <summary>
/// <c>grammar</c>: each input line (at most 16) parsed, helped and completed over the real command
/// catalogue with the lab configuration as the running snapshot (so nameif and access-list
/// parameters resolve). Expected: no exception; a line that does not parse gets a non-empty FTD
/// error text.
/// </summary>
internal sealed class GrammarTarget(string labConfig) : IFuzzTarget
{
    private const int MaxLines = 16;
    private readonly CommandTree _tree = CommandCatalogue.BuildTree();
    private readonly RuntimeSnapshot _snapshot = RuntimeSnapshot.Build(BridgeConfig.Parse(labConfig, "lab.conf"));

    public string Name => "grammar";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        int lines = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            if (++lines > MaxLines) break;
            string line = text[range].TrimEnd('\r');
            var parsed = _tree.Parse(line, _snapshot);
            if (parsed.Status != ParseStatus.Complete && CommandTree.ErrorText(parsed, line).Length == 0)
                throw new FuzzInvariantException($"no error text for a refused line: {line}");
            _tree.Help(line, _snapshot);
            _tree.Complete(line, _snapshot);
        }
    }
}
