using System.Text;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;

namespace Bridge.Fuzz.Targets;

/// <summary>
/// <c>config</c>: the input as an ASA-syntax configuration file. Expected:
/// <see cref="ConfigException"/> whose message starts with the file name (a refusal with file and
/// line); what parses must print with <see cref="BridgeConfig.ToText"/>, parse back to the same
/// text, and build a runtime snapshot.
/// </summary>
internal sealed class ConfigTarget : IFuzzTarget
{
    private const string FileName = "fuzz.conf";

    public string Name => "config";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        BridgeConfig config;
        try
        {
            config = BridgeConfig.Parse(text, FileName);
        }
        catch (ConfigException e)
        {
            if (!e.Message.StartsWith(FileName + ":", StringComparison.Ordinal))
                throw new FuzzInvariantException($"refusal without file and line: {e.Message}");
            return;
        }
        string printed = config.ToText();
        string reprinted = BridgeConfig.Parse(printed, FileName).ToText();
        if (printed != reprinted)
            throw new FuzzInvariantException($"ToText does not round-trip:\n--- first ---\n{printed}\n--- second ---\n{reprinted}");
        RuntimeSnapshot.Build(config);
    }
}
