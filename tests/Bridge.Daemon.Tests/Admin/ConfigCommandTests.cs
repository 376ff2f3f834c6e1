using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>Configuration lines at the prompt and write memory, through the socket.</summary>
public sealed class ConfigCommandTests : IAsyncLifetime
{
    private AdminFixture _f = null!;

    public async Task InitializeAsync() => _f = await AdminFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Access_list_lines_abbreviated_are_added_bound_and_removed()
    {
        Assert.Equal("", await _f.TextAsync("access-list OUT_IN ext deny ip host 198.51.100.7 any"));
        Assert.Equal("", await _f.TextAsync("access-gr OUT_IN in int OUTSIDE"));
        Assert.Equal("access-list OUT_IN extended deny ip host 198.51.100.7 any\n", await _f.TextAsync("show running-config access-list").ContinueWith(t => string.Concat(t.Result.Split('\n').Where(l => l.Contains("OUT_IN")).Select(l => l + "\n"))));
        Assert.Contains("access-group OUT_IN in interface OUTSIDE\n", await _f.TextAsync("show run access-group"));
        Assert.Contains("access-list OUT_IN; 1 elements", await _f.TextAsync("show access-list OUT_IN"));

        Assert.Equal("", await _f.TextAsync("no access-group OUT_IN in interface OUTSIDE"));
        Assert.Equal("", await _f.TextAsync("no access-list OUT_IN extended deny ip host 198.51.100.7 any"));
        Assert.DoesNotContain("OUT_IN", await _f.TextAsync("show running-config"));
    }

    [Fact]
    public async Task A_bad_line_gets_the_caret_on_the_typed_word_and_changes_nothing()
    {
        string before = await _f.TextAsync("show running-config");
        var r = await _f.RunAsync("access-list X adv permit tcp any hots 10.0.0.1");
        Assert.Equal(1, r["status"]!.GetValue<int>());
        var lines = r["text"]!.GetValue<string>().Split('\n');
        Assert.Equal("access-list X adv permit tcp any hots 10.0.0.1", lines[0]);
        Assert.Equal(new string(' ', 33) + "^", lines[1]);
        Assert.Equal("ERROR: % Invalid input detected at '^' marker.", lines[2]);
        Assert.StartsWith("ERROR: ", lines[3]);
        Assert.Equal(before, await _f.TextAsync("show running-config"));
        Assert.Empty(_f.Runtime.Applied);
    }

    [Fact]
    public async Task Line_N_inserts_the_entry_at_that_line_of_the_list()
    {
        Assert.Equal("", await _f.TextAsync("access-list CSM_FW_ACL_ line 1 advanced deny udp any any eq 9999 rule-id 9999"));
        var lines = (await _f.TextAsync("show running-config access-list")).Split('\n');
        Assert.Equal("access-list CSM_FW_ACL_ advanced deny udp any any eq 9999 rule-id 9999", lines[0]);
        Assert.Contains("access-list CSM_FW_ACL_ line 1 advanced deny udp any any eq 9999 rule-id 9999", await _f.TextAsync("show access-list CSM_FW_ACL_"));

        // Past the end appends; remarks count as lines.
        Assert.Equal("", await _f.TextAsync("access-list CSM_FW_ACL_ line 500 remark the end"));
        Assert.EndsWith("access-list CSM_FW_ACL_ remark the end", (await _f.TextAsync("show running-config access-list")).TrimEnd('\n'));

        // The caret still lands under the typed word after "line N".
        const string typo = "access-list CSM_FW_ACL_ line 2 adv permit tcp any hots 10.0.0.1";
        var bad = await _f.RunAsync(typo);
        Assert.Equal(1, bad["status"]!.GetValue<int>());
        Assert.Equal(new string(' ', typo.IndexOf("hots", StringComparison.Ordinal)) + "^", bad["text"]!.GetValue<string>().Split('\n')[1]);
    }

    [Fact]
    public async Task Removing_a_list_still_bound_is_refused()
    {
        var r = await _f.RunAsync("no access-list CSM_FW_ACL_");
        Assert.Equal(1, r["status"]!.GetValue<int>());
        Assert.Contains("CSM_FW_ACL_", r["text"]!.GetValue<string>());
        Assert.Contains("access-list CSM_FW_ACL_ advanced deny ip any any", await _f.TextAsync("show run access-list"));
    }

    [Fact]
    public async Task Timeout_and_mac_aging_replace_their_line_in_configure_terminal()
    {
        await using var c = await _f.ConnectAsync();
        var conf = await c.RequestAsync("conf t");
        Assert.True(conf["config"]!.GetValue<bool>());
        Assert.Equal(0, (await c.RequestAsync("timeout conn 2:00:00"))["status"]!.GetValue<int>());
        Assert.Equal(0, (await c.RequestAsync("mac-address-table aging-time 10"))["status"]!.GetValue<int>());
        var end = await c.RequestAsync("end");
        Assert.False(end["config"]!.GetValue<bool>());
        Assert.Contains("timeout conn 2:00:00\n", await _f.TextAsync("show run timeout"));
        Assert.Equal("mac-address-table aging-time 10\n", await _f.TextAsync("show run mac-address-table"));
        Assert.Equal(TimeSpan.FromHours(2), _f.Runtime.Snapshot.Config.Timeouts.Conn);
        Assert.Equal(10L * 60 * 1_000_000_000, _f.Runtime.Workers[1].Macs.AgingNs);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Write_memory_round_trips_and_keeps_the_previous_file()
    {
        string original = File.ReadAllText(_f.ConfigPath);
        Assert.Equal("", await _f.TextAsync("timeout udp 0:05:00"));
        Assert.Equal("Building configuration...\n[OK]\n", await _f.TextAsync("write memory"));
        Assert.Equal(original, File.ReadAllText(_f.ConfigPath + ".bak"));
        // Password hashes live in the file: owner only, for the file and its backup, whatever the umask.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_f.ConfigPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_f.ConfigPath + ".bak"));
        string running = await _f.TextAsync("show running-config");
        // Re-read the written file as a restart would: the same running config.
        var reread = BridgeConfig.Load(_f.ConfigPath);
        Assert.Equal(running, reread.ToText());
        Assert.Equal(TimeSpan.FromMinutes(5), reread.Timeouts.Udp);
        Assert.Empty(Directory.GetFiles(_f.Dir, "*.tmp"));
        Assert.True(_f.Runtime.Reload().Applied);
        Assert.Equal(running, await _f.TextAsync("show running-config"));
    }
}
