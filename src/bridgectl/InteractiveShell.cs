using System.Text;
using System.Text.Json.Nodes;

namespace Bridge.Ctl;

/// <summary>
/// The interactive <c>&gt;</c> prompt: line editing (arrows, Home/End, Backspace/Delete,
/// Ctrl+A/E/U/W), history kept in <c>~/.bridgectl_history</c>, Tab completion and <c>?</c> help from
/// the daemon's grammar, <c>--More--</c> paging, Ctrl+C cancelling a running command without
/// leaving. <c>exit</c>, <c>quit</c> or Ctrl+D leave (in configure mode <c>exit</c> goes back one
/// level: from a sub-mode such as <c>(config-if)</c> to <c>(config)</c>, from there to <c>&gt;</c>).
/// </summary>
internal sealed class InteractiveShell(AdminChannel channel, bool json)
{
    private const int HistoryLimit = 1000;
    private readonly List<string> _history = [];
    private readonly string _historyFile = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bridgectl_history");
    private int _running = -1;

    private string Prompt => channel.Mode == "exec" ? "> " : "(" + channel.Mode + ")> ";

    public int Run()
    {
        LoadHistory();
        Console.CancelKeyPress += OnCancel;
        try
        {
            while (true)
            {
                string? line = ReadLine();
                if (line is null)
                {
                    Console.WriteLine();
                    return 0;
                }
                string trimmed = line.Trim();
                if (trimmed.Length == 0) continue;
                Remember(trimmed);
                if (trimmed is "exit" or "quit")
                {
                    if (channel.Mode == "exec") return 0;
                    trimmed = "exit";
                }
                RunCommand(trimmed);
            }
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
            SaveHistory();
        }
    }

    private void RunCommand(string command)
    {
        Console.TreatControlCAsInput = false;
        try
        {
            var pager = new Pager();
            Volatile.Write(ref _running, channel.CurrentId + 1);
            var response = channel.Send(command, json: json, onChunk: chunk => pager.Write(chunk), onPrompt: Answer);
            Volatile.Write(ref _running, -1);
            bool ok = response["status"]?.GetValue<int>() == 0;
            string text = response["text"]?.GetValue<string>() ?? "";
            if (ok && json && response["json"] is JsonNode data) text = data.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
            pager.Write(text);
        }
        finally
        {
            Volatile.Write(ref _running, -1);
        }
    }

    /// <summary>A dialog question of the running command: the prompt, then one line (not echoed when secret).</summary>
    private static string Answer(string prompt, bool secret)
    {
        Console.Write(prompt);
        if (!secret) return Console.ReadLine() ?? "";
        var answer = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (answer.Length > 0) answer.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar)) answer.Append(key.KeyChar);
        }
        Console.WriteLine();
        return answer.ToString();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        // Ctrl+C while a command runs: cancel it and stay in the shell.
        e.Cancel = true;
        int id = Volatile.Read(ref _running);
        if (id > 0) channel.Cancel(id);
    }

    /// <summary>Reads one line with editing; null on Ctrl+D at an empty line.</summary>
    private string? ReadLine()
    {
        Console.TreatControlCAsInput = true;
        var buf = new StringBuilder();
        int pos = 0;
        int historyIndex = _history.Count;
        bool tabbedOnce = false;
        Console.Write(Prompt);
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            bool ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
            bool wasTab = key.Key == ConsoleKey.Tab;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return buf.ToString();
                case ConsoleKey.Backspace when pos > 0:
                    buf.Remove(--pos, 1);
                    break;
                case ConsoleKey.Delete when pos < buf.Length:
                    buf.Remove(pos, 1);
                    break;
                case ConsoleKey.LeftArrow when pos > 0:
                    pos--;
                    break;
                case ConsoleKey.RightArrow when pos < buf.Length:
                    pos++;
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when ctrl:
                    pos = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when ctrl:
                    pos = buf.Length;
                    break;
                case ConsoleKey.U when ctrl:
                    buf.Remove(0, pos);
                    pos = 0;
                    break;
                case ConsoleKey.W when ctrl:
                    int start = pos;
                    while (start > 0 && buf[start - 1] == ' ') start--;
                    while (start > 0 && buf[start - 1] != ' ') start--;
                    buf.Remove(start, pos - start);
                    pos = start;
                    break;
                case ConsoleKey.C when ctrl:
                    Console.WriteLine("^C");
                    buf.Clear();
                    pos = 0;
                    Console.Write(Prompt);
                    continue;
                case ConsoleKey.D when ctrl:
                    if (buf.Length == 0) return null;
                    if (pos < buf.Length) buf.Remove(pos, 1);
                    break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    historyIndex--;
                    buf.Clear().Append(_history[historyIndex]);
                    pos = buf.Length;
                    break;
                case ConsoleKey.DownArrow when historyIndex < _history.Count:
                    historyIndex++;
                    buf.Clear().Append(historyIndex < _history.Count ? _history[historyIndex] : "");
                    pos = buf.Length;
                    break;
                case ConsoleKey.Tab:
                    pos = Complete(buf, pos, tabbedOnce);
                    break;
                default:
                    if (key.KeyChar == '?')
                    {
                        // Help for what is left of the cursor, then the line again as it was.
                        Console.WriteLine("?");
                        var help = channel.Send(buf.ToString(0, pos), mode: "help");
                        new Pager().Write(help["text"]?.GetValue<string>() ?? "");
                        Console.Write(Prompt);
                        break;
                    }
                    if (!char.IsControl(key.KeyChar))
                    {
                        buf.Insert(pos++, key.KeyChar);
                    }
                    break;
            }
            tabbedOnce = wasTab;
            Redraw(buf, pos);
        }
    }

    /// <summary>Tab: completes a unique candidate, extends to the common prefix, or lists them on the second Tab.</summary>
    private int Complete(StringBuilder buf, int pos, bool secondTab)
    {
        string before = buf.ToString(0, pos);
        var response = channel.Send(before, mode: "complete");
        var candidates = (response["completions"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
        int from = response["from"]?.GetValue<int>() ?? pos;
        if (candidates.Count == 0) return pos;
        string replacement = candidates.Count == 1 ? candidates[0] + " " : CommonPrefix(candidates);
        if (candidates.Count > 1 && replacement.Length <= pos - from && secondTab)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", candidates));
            Console.Write(Prompt);
            return pos;
        }
        if (replacement.Length < pos - from) return pos;
        buf.Remove(from, pos - from).Insert(from, replacement);
        return from + replacement.Length;
    }

    private static string CommonPrefix(List<string> words)
    {
        string p = words[0];
        foreach (var w in words)
        {
            int i = 0;
            while (i < p.Length && i < w.Length && char.ToLowerInvariant(p[i]) == char.ToLowerInvariant(w[i])) i++;
            p = p[..i];
        }
        return p;
    }

    private void Redraw(StringBuilder buf, int pos)
    {
        // Carriage return, prompt and line, erase the rest, then walk the cursor back to pos.
        Console.Write("\r" + Prompt + buf + "\x1b[K");
        int back = buf.Length - pos;
        if (back > 0) Console.Write($"\x1b[{back}D");
    }

    private void Remember(string line)
    {
        line = HistoryRedaction.Redact(line);
        if (_history.Count > 0 && _history[^1] == line) return;
        _history.Add(line);
        if (_history.Count > HistoryLimit) _history.RemoveAt(0);
    }

    private void LoadHistory()
    {
        try
        {
            if (File.Exists(_historyFile)) _history.AddRange(File.ReadAllLines(_historyFile).TakeLast(HistoryLimit));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void SaveHistory()
    {
        try
        {
            File.WriteAllLines(_historyFile, _history);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// <c>--More--</c> paging of output longer than the terminal: space shows the next page, Enter the
/// next line, q stops printing (the rest is discarded).
/// </summary>
internal sealed class Pager
{
    private int _linesOnPage;
    private bool _quit;
    private readonly StringBuilder _partial = new();

    public void Write(string text)
    {
        if (_quit) return;
        int height = Math.Max(2, SafeHeight() - 1);
        foreach (char ch in text)
        {
            _partial.Append(ch);
            if (ch != '\n') continue;
            Console.Write(_partial.ToString());
            _partial.Clear();
            if (++_linesOnPage < height) continue;
            Console.Write(" --More-- ");
            var key = Console.ReadKey(intercept: true);
            Console.Write("\r          \r");
            if (key.KeyChar is 'q' or 'Q')
            {
                _quit = true;
                return;
            }
            _linesOnPage = key.Key == ConsoleKey.Enter ? height - 1 : 0;
        }
        if (_partial.Length > 0)
        {
            Console.Write(_partial.ToString());
            _partial.Clear();
        }
    }

    private static int SafeHeight()
    {
        try
        {
            return Console.WindowHeight > 0 ? Console.WindowHeight : 24;
        }
        catch (IOException)
        {
            return 24;
        }
    }
}
