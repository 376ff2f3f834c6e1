using System.Globalization;

namespace Bridge.Capture.Tcpdump;

/// <summary>
/// The tcpdump flags Bridge understands (<c>-n -nn -e -v -vv -q -x -xx -X -XX -c N -s N -w FILE -r FILE</c>)
/// and the filter expression. Parsed like tcpdump's GNU getopt: flags may be clustered
/// (<c>-nnvX</c>), option arguments attached or separate (<c>-c5</c>, <c>-c 5</c>), options may
/// follow the expression, and <c>--</c> ends the options.
/// </summary>
public sealed record TcpdumpOptions
{
    /// <summary>tcpdump's largest snapshot length; <c>-s 0</c> means this.</summary>
    public const int MaximumSnapLength = 262144;

    /// <summary>How many <c>-n</c>: 0 prints port names from /etc/services; 1 or more prints numbers (tcpdump 4.99 treats -n and -nn alike).</summary>
    public int NoResolve { get; init; }

    /// <summary><c>-e</c>: print the link-level header.</summary>
    public bool LinkHeader { get; init; }

    /// <summary>How many <c>-v</c>.</summary>
    public int Verbose { get; init; }

    /// <summary><c>-q</c>: quick, shorter protocol lines.</summary>
    public bool Quiet { get; init; }

    /// <summary>Count of <c>-x</c> (1: hex from the network layer, 2: from the link layer).</summary>
    public int Hex { get; init; }

    /// <summary>Count of <c>-X</c> (hex and ASCII; 1: network layer, 2: link layer).</summary>
    public int HexAscii { get; init; }

    /// <summary><c>-c N</c>: stop after N packets; null = no limit.</summary>
    public long? Count { get; init; }

    /// <summary><c>-s N</c>: bytes kept of each packet; null = tcpdump's default.</summary>
    public int? SnapLength { get; init; }

    /// <summary><c>-w FILE</c>.</summary>
    public string? WriteFile { get; init; }

    /// <summary><c>-r FILE</c>.</summary>
    public string? ReadFile { get; init; }

    /// <summary>The filter expression (the arguments that are not options, joined by spaces); "" = every packet.</summary>
    public string Filter { get; init; } = "";

    /// <summary>Parses a tcpdump command line (without the program name). Errors carry tcpdump's own text.</summary>
    public static TcpdumpOptions Parse(IReadOnlyList<string> args)
    {
        var options = new TcpdumpOptions();
        var expression = new List<string>();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                expression.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new TcpdumpUsageException($"unrecognized option '{arg}'");
            }
            for (int j = 1; j < arg.Length; j++)
            {
                char flag = arg[j];
                switch (flag)
                {
                    case 'n': options = options with { NoResolve = options.NoResolve + 1 }; break;
                    case 'e': options = options with { LinkHeader = true }; break;
                    case 'v': options = options with { Verbose = options.Verbose + 1 }; break;
                    case 'q': options = options with { Quiet = true }; break;
                    case 'x': options = options with { Hex = options.Hex + 1 }; break;
                    case 'X': options = options with { HexAscii = options.HexAscii + 1 }; break;
                    case 'c' or 's' or 'w' or 'r':
                        // The rest of the cluster is the argument, else the next word is.
                        string value;
                        if (j + 1 < arg.Length)
                        {
                            value = arg.Substring(j + 1);
                        }
                        else if (i + 1 < args.Count)
                        {
                            value = args[++i];
                        }
                        else
                        {
                            throw new TcpdumpUsageException($"option requires an argument -- '{flag}'");
                        }
                        options = WithValue(options, flag, value);
                        j = arg.Length;
                        break;
                    default:
                        throw new TcpdumpUsageException($"invalid option -- '{flag}'");
                }
            }
        }
        return options with { Filter = string.Join(' ', expression) };
    }

    /// <summary>Splits an options line as a shell would for plain words and quotes ('...' and "...").</summary>
    public static IReadOnlyList<string> SplitWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        foreach (char c in line)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else word.Append(c);
                continue;
            }
            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quote != '\0') throw new TcpdumpUsageException("unterminated quote in options");
        if (inWord) words.Add(word.ToString());
        return words;
    }

    private static TcpdumpOptions WithValue(TcpdumpOptions options, char flag, string value)
    {
        switch (flag)
        {
            case 'c':
                // tcpdump takes a leading number (strtol) and refuses zero, negatives and junk.
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count <= 0)
                {
                    throw new TcpdumpUsageException($"invalid packet count {value}");
                }
                return options with { Count = count };
            case 's':
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int snap) || snap > MaximumSnapLength)
                {
                    throw new TcpdumpUsageException($"invalid snaplen {value} (must be >= 0 and <= {MaximumSnapLength})");
                }
                return options with { SnapLength = snap == 0 ? MaximumSnapLength : snap };
            case 'w':
                return options with { WriteFile = value };
            default:
                return options with { ReadFile = value };
        }
    }
}

/// <summary>A command line tcpdump would refuse; <see cref="Exception.Message"/> is tcpdump's text without the <c>tcpdump: </c> prefix.</summary>
public sealed class TcpdumpUsageException(string message) : Exception(message);
