using System.Diagnostics;
using Bridge.Daemon.Tests.Admin;

namespace Bridge.Ctl.Tests;

/// <summary>
/// The interactive shell in a real terminal: bridgectl runs inside a tmux pane (its own tmux
/// server, so nothing else's environment or sessions are involved), keys are typed with
/// <c>send-keys</c> and the screen is read back with <c>capture-pane</c>, as an engineer sees it.
/// </summary>
public sealed class InteractiveShellTests
{
    [Fact]
    public async Task Tab_help_sub_mode_prompts_history_and_ctrl_d_work_in_a_terminal()
    {
        await using var f = await AdminFixture.StartAsync();
        using var term = Terminal.Start(f.SocketPath);

        term.WaitFor(s => s.EndsWith("> ", StringComparison.Ordinal), "the > prompt");

        // Tab completes the only word that fits; Enter runs it.
        term.Keys("sh", "Tab");
        term.WaitFor(s => s.EndsWith("> show ", StringComparison.Ordinal), "'sh' completed to 'show '");
        term.Keys("conn count", "Enter");
        term.WaitFor(s => s.Contains("1 in use, 1 most used\n> ", StringComparison.Ordinal), "show conn count's answer");

        // ? lists the next words without running anything and gives the line back.
        term.Keys("show asp ?");
        term.WaitFor(s => s.Contains("  drop ", StringComparison.Ordinal) && s.EndsWith("> show asp ", StringComparison.Ordinal), "help after 'show asp'");
        term.Keys("C-u");

        // Configuration sub-modes show in the prompt; exit steps back one level.
        term.Keys("conf t", "Enter");
        term.WaitFor(s => s.EndsWith("(config)> ", StringComparison.Ordinal), "the config prompt");
        term.Keys("interface veth-out", "Enter");
        term.WaitFor(s => s.EndsWith("(config-if)> ", StringComparison.Ordinal), "the config-if prompt");
        term.Keys("desc", "Tab");
        term.WaitFor(s => s.EndsWith("(config-if)> description ", StringComparison.Ordinal), "'desc' completed in the sub-mode");
        term.Keys("typed in a terminal", "Enter");
        term.Keys("exit", "Enter");
        term.WaitFor(s => s.EndsWith("(config)> ", StringComparison.Ordinal), "back to config");
        term.Keys("exit", "Enter");
        term.WaitFor(s => s.EndsWith("\n> ", StringComparison.Ordinal), "back to exec");
        Assert.Equal("typed in a terminal", f.Runtime.Snapshot.Config.Interfaces.Single(i => i.Name == "veth-out").Description);

        // Up recalls the previous lines (a repeated line once); Ctrl+D on an empty line leaves and keeps the history.
        term.Keys("Up");
        term.WaitFor(s => s.EndsWith("\n> exit", StringComparison.Ordinal), "history recall of exit");
        term.Keys("Up");
        term.WaitFor(s => s.EndsWith("\n> description typed in a terminal", StringComparison.Ordinal), "history recall of the line before");
        term.Keys("C-u", "C-d");
        term.WaitForExit();
        var history = File.ReadAllLines(Path.Combine(term.Home, ".bridgectl_history"));
        Assert.Equal(["show conn count", "conf t", "interface veth-out", "description typed in a terminal", "exit"], history);
    }

    [Fact]
    public async Task Long_output_stops_at_More_space_pages_on_and_q_stops()
    {
        await using var f = await AdminFixture.StartAsync();
        using var term = Terminal.Start(f.SocketPath, rows: 12);
        term.WaitFor(s => s.EndsWith("> ", StringComparison.Ordinal), "the > prompt");
        term.Keys("show running-config", "Enter");
        term.WaitFor(s => s.Contains("--More--", StringComparison.Ordinal) && s.Contains("interface veth-out", StringComparison.Ordinal), "the first page");
        Assert.DoesNotContain("timeout conn", term.Screen());
        term.Keys(" ");
        term.WaitFor(s => s.Contains("access-list CSM_FW_ACL_ advanced", StringComparison.Ordinal) && s.Contains("--More--", StringComparison.Ordinal), "the second page");
        term.Keys("q");
        term.WaitFor(s => s.EndsWith("> ", StringComparison.Ordinal) && !s.Contains("--More--", StringComparison.Ordinal), "the prompt after q");
        Assert.DoesNotContain("mac-address-table aging-time", term.Screen());
    }

    /// <summary>A tmux server of its own with one pane running bridgectl.</summary>
    private sealed class Terminal : IDisposable
    {
        private readonly string _socket;
        public string Home { get; }

        private Terminal(string socket, string home)
        {
            _socket = socket;
            Home = home;
        }

        public static Terminal Start(string adminSocket, int rows = 40)
        {
            string home = Directory.CreateTempSubdirectory("bridgectl-home-").FullName;
            var t = new Terminal("bctl-" + Guid.NewGuid().ToString("N")[..10], home);
            string exe = Path.Combine(AppContext.BaseDirectory, "bridgectl");
            t.Tmux("new-session", "-d", "-x", "100", "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "HOME=" + home,
                $"'{exe}' --socket '{adminSocket}'; echo EXITED $?; sleep 30");
            return t;
        }

        public void Keys(params string[] keys)
        {
            foreach (var k in keys)
            {
                // Named keys (Tab, Enter, Up, C-u) are sent as keys, everything else literally.
                bool named = k is "Tab" or "Enter" or "Up" or "Down" or "C-u" or "C-d" or "C-c";
                if (named) Tmux("send-keys", "-t", "0", k);
                else Tmux("send-keys", "-t", "0", "-l", k);
            }
        }

        public string Screen() => string.Join('\n', Tmux("capture-pane", "-p", "-t", "0").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()))
            .TrimEnd('\n') + Trailing();

        // capture-pane trims trailing blanks; the prompt's space matters, so it is read from the cursor.
        private string Trailing()
        {
            var parts = Tmux("display-message", "-p", "-t", "0", "#{cursor_x} #{cursor_y}").Trim().Split(' ');
            int x = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            int y = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            var lines = Tmux("capture-pane", "-p", "-t", "0").Split('\n');
            string line = y < lines.Length ? lines[y] : "";
            return new string(' ', Math.Max(0, x - line.TrimEnd().Length));
        }

        public void WaitFor(Func<string, bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            string screen = "";
            while (DateTime.UtcNow < deadline)
            {
                screen = Screen();
                if (condition(screen)) return;
                Thread.Sleep(50);
            }
            Assert.Fail($"timed out waiting for {what}; the screen shows:\n{screen}");
        }

        public void WaitForExit() => WaitFor(s => s.Contains("EXITED 0", StringComparison.Ordinal), "bridgectl to exit with status 0");

        private string Tmux(params string[] args)
        {
            var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-L");
            psi.ArgumentList.Add(_socket);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {error}");
            return output;
        }

        public void Dispose()
        {
            try
            {
                Tmux("kill-server");
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            Directory.Delete(Home, recursive: true);
        }
    }
}
