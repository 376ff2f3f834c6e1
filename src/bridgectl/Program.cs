using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridge.Ctl;

/// <summary>
/// <c>bridgectl [--socket PATH] [-c "COMMAND"] [--json]</c>: the FTD-style shell of bridged. With
/// <c>-c</c> it runs one command; with a terminal it is an interactive <c>&gt;</c> prompt; with
/// piped input it runs the lines in order without prompts. Exit status: 0 when every command
/// succeeded, 1 when one failed, 2 for bad usage, 3 when the daemon cannot be reached.
/// </summary>
public static class Program
{
    public const string DefaultSocket = "/run/bridge/admin.sock";

    public static int Main(string[] args) => Run(args, Console.In, Console.Out, Console.Error, !Console.IsInputRedirected && !Console.IsOutputRedirected);

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, bool interactive)
    {
        string? socket = null, command = null;
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--socket" or "-s" when i + 1 < args.Length: socket = args[++i]; break;
                case "-c" when i + 1 < args.Length: command = args[++i]; break;
                case "--json": json = true; break;
                case "-h" or "--help":
                    stdout.Write(Usage);
                    return 0;
                default:
                    stderr.Write($"bridgectl: unknown or incomplete option '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        socket ??= DefaultSocketPath();
        try
        {
            using var channel = AdminChannel.Connect(socket);
            if (command is not null) return Execute(channel, command, json, stdin, stdout, stderr) ? 0 : 1;
            if (interactive) return new InteractiveShell(channel, json).Run();
            bool ok = true;
            while (stdin.ReadLine() is { } line)
            {
                // exit leaves a configuration mode first (the daemon says which one it is in), the script last.
                if (line.Trim() is "exit" or "quit" && channel.Mode == "exec") break;
                if (line.Trim().Length == 0) continue;
                ok &= Execute(channel, line.Trim() == "quit" ? "exit" : line, json, stdin, stdout, stderr);
            }
            return ok ? 0 : 1;
        }
        catch (DaemonUnreachableException e)
        {
            stderr.WriteLine("bridgectl: " + e.Message);
            return 3;
        }
    }

    /// <summary><c>Bridge__AdminSocket</c> (the variable the daemon reads too), else the daemon's default path.</summary>
    public static string DefaultSocketPath() =>
        Environment.GetEnvironmentVariable("Bridge__AdminSocket") is { Length: > 0 } configured ? configured : DefaultSocket;

    /// <summary>
    /// Runs one command and prints its answer; false when it failed. The command's prompts are
    /// answered from the next lines of <paramref name="stdin"/> (end of input: the default), so a
    /// script can feed a dialog such as <c>copy</c>'s.
    /// </summary>
    public static bool Execute(AdminChannel channel, string command, bool json, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var response = channel.Send(
            command,
            json: json,
            onChunk: chunk =>
            {
                stdout.Write(chunk);
                stdout.Flush();
            },
            onPrompt: (prompt, _) =>
            {
                stdout.Write(prompt);
                stdout.Flush();
                string answer = stdin.ReadLine() ?? "";
                stdout.WriteLine();
                return answer;
            });
        Print(response, json, stdout, stderr);
        return response["status"]?.GetValue<int>() == 0;
    }

    public static void Print(JsonObject response, bool json, TextWriter stdout, TextWriter stderr)
    {
        bool ok = response["status"]?.GetValue<int>() == 0;
        string text = response["text"]?.GetValue<string>() ?? "";
        if (!ok)
        {
            stderr.Write(text);
            return;
        }
        if (json && response["json"] is { } data) stdout.WriteLine(data.ToJsonString(Pretty));
        else stdout.Write(text);
        stdout.Flush();
    }

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    private const string Usage = """
        Usage: bridgectl [--socket PATH] [-c "COMMAND"] [--json]
          --socket PATH   admin socket of bridged (default: $Bridge__AdminSocket, else /run/bridge/admin.sock)
          -c COMMAND      run one command and exit (status 1 when it fails)
          --json          print the structured output of show commands as JSON
        Without -c: an interactive '>' prompt on a terminal (Tab completes, ? helps, exit leaves),
        or one command per line from standard input.

        """;
}
