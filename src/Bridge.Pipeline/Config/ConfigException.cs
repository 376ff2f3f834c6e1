namespace Bridge.Pipeline.Config;

/// <summary>
/// A parse or validation error in a config file. <see cref="Exception.Message"/> reads
/// <c>file:line:column: reason</c> followed by the offending line, like a compiler diagnostic.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, int line, int column, string reason, string sourceLine)
        : base($"{file}:{line}:{column}: {reason}{Environment.NewLine}{sourceLine}")
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
        SourceLine = sourceLine;
    }

    public string File { get; }

    /// <summary>1-based line number.</summary>
    public int Line { get; }

    /// <summary>1-based column where the offending token starts (one past the end when a token is missing).</summary>
    public int Column { get; }

    public string Reason { get; }

    /// <summary>The offending line as written.</summary>
    public string SourceLine { get; }
}
