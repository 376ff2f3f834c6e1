using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Config;

/// <summary>
/// Regression tests for inputs the coverage-guided fuzzer (scripts/fuzz config) found; the raw
/// inputs live in tests/Bridge.Fuzz/findings/config/.
/// </summary>
public class ConfigFuzzFindingTests
{
    [Fact]
    public void Renaming_an_interface_bound_by_an_access_group_is_refused_with_its_line()
    {
        // Found by the fuzzer: the interface block reopened with a new nameif left
        // "access-group OUTSIDE_IN in interface OUTSIDE" pointing at no interface, so ToText
        // printed a configuration that did not parse back.
        const string text = """
            interface eth2
             nameif OUTSIDE
             bridge-group 1
            access-list OUTSIDE_IN extended deny ip host 198.51.100.7 any
            access-group OUTSIDE_IN in interface OUTSIDE
            interface eth2
             nameif OUTSIDE-NEW
            """;
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(text, "fuzz.conf"));
        Assert.StartsWith("fuzz.conf:7:", e.Message);
        Assert.Contains("bound by access-group OUTSIDE_IN", e.Message);
    }

    [Fact]
    public void Reopening_an_interface_with_the_same_nameif_still_parses()
    {
        const string text = """
            interface eth2
             nameif OUTSIDE
             bridge-group 1
            access-list OUTSIDE_IN extended deny ip host 198.51.100.7 any
            access-group OUTSIDE_IN in interface OUTSIDE
            interface eth2
             nameif OUTSIDE
             mtu 9000
            """;
        var config = BridgeConfig.Parse(text, "fuzz.conf");
        Assert.Equal(config.ToText(), BridgeConfig.Parse(config.ToText(), "fuzz.conf").ToText());
    }

    [Fact]
    public void The_fuzzers_input_is_refused_at_the_rename()
    {
        string text = File.ReadAllText(RepoFiles.Path("tests/Bridge.Fuzz/findings/config/rename-bound-nameif"));
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(text, "fuzz.conf"));
        Assert.Contains("bound by access-group OUTSIDE_IN", e.Message);
    }

    [Theory]
    [InlineData("logging host INSIDE 192.0.2.10", "used by logging host INSIDE 192.0.2.10")]
    [InlineData("http 192.0.2.0 255.255.255.0 INSIDE", "used by http 192.0.2.0/24 INSIDE")]
    public void Renaming_a_nameif_a_syslog_server_or_the_https_allow_list_names_is_refused(string line, string said)
    {
        // Found by the fuzzer (a long run, 12 M inputs in): "logging host INSIDE ..." stayed
        // after the interface was renamed, so the printed configuration did not parse back.
        string text = $"""
            interface eth1
             nameif INSIDE
             bridge-group 1
            {line}
            interface eth1
             nameif INSIDE-NEW
            """;
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(text, "fuzz.conf"));
        Assert.StartsWith("fuzz.conf:6:", e.Message);
        Assert.Contains(said, e.Message);
        // Without the line that names it, the rename is fine and the text round-trips.
        var renamed = BridgeConfig.Parse(text.Replace(line + "\n", "", StringComparison.Ordinal), "fuzz.conf");
        Assert.Equal("INSIDE-NEW", renamed.Interfaces.Single().NameIf);
    }

    [Fact]
    public void The_fuzzers_logging_host_input_is_refused_at_the_rename()
    {
        string text = File.ReadAllText(RepoFiles.Path("tests/Bridge.Fuzz/findings/config/rename-nameif-of-logging-host"));
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(text, "fuzz.conf"));
        Assert.Contains("used by logging host INSIDE", e.Message);
    }
}
