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
}
