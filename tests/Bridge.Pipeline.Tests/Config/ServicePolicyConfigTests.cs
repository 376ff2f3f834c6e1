using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Config;

/// <summary><c>policy-map</c> / <c>class class-default</c> / <c>set connection</c> and <c>service-policy NAME global</c>.</summary>
public sealed class ServicePolicyConfigTests
{
    private const string Policy = """
        policy-map global_policy
         class class-default
          set connection conn-max 100000
          set connection embryonic-conn-max 2000
          set connection timeout embryonic 0:00:20
        service-policy global_policy global

        """;

    [Fact]
    public void Settings_of_the_global_policy_apply_and_print_as_asa_writes_them()
    {
        var config = BridgeConfig.Parse(Policy);
        var c = config.ServicePolicy.Connection;
        Assert.Equal(100000, c.ConnMax);
        Assert.Equal(2000, c.EmbryonicConnMax);
        Assert.Equal(TimeSpan.FromSeconds(20), c.EmbryonicTimeout);
        Assert.Equal("""
            policy-map global_policy
             class class-default
              set connection conn-max 100000 embryonic-conn-max 2000
              set connection timeout embryonic 0:00:20

            """.Replace("\r", ""), config.ToText("policy-map"));
        Assert.Equal("service-policy global_policy global\n", config.ToText("service-policy"));
        // The printed text parses back to the same config.
        Assert.Equal(config, BridgeConfig.Parse(config.ToText()));
    }

    [Fact]
    public void A_policy_map_not_bound_globally_sets_nothing_and_no_forms_remove()
    {
        var unbound = BridgeConfig.Parse(Policy.Replace("service-policy global_policy global\n", ""));
        Assert.Same(ConnectionSettings.None, unbound.ServicePolicy.Connection);
        Assert.Single(unbound.ServicePolicy.PolicyMaps);

        var reduced = BridgeConfig.Parse(Policy + """
            policy-map global_policy
             class class-default
              no set connection conn-max
              no set connection timeout embryonic
            """);
        Assert.Equal(0, reduced.ServicePolicy.Connection.ConnMax);
        Assert.Equal(2000, reduced.ServicePolicy.Connection.EmbryonicConnMax);
        Assert.Null(reduced.ServicePolicy.Connection.EmbryonicTimeout);
        Assert.Equal(ConnectionSettings.DefaultEmbryonicTimeout, reduced.ServicePolicy.Connection.EffectiveEmbryonicTimeout);

        var removed = BridgeConfig.Parse(Policy + "no service-policy global_policy global\nno policy-map global_policy\n");
        Assert.Empty(removed.ServicePolicy.PolicyMaps);
        Assert.Null(removed.ServicePolicy.GlobalPolicy);
        Assert.Equal(BridgeConfig.Empty, removed);
    }

    [Theory]
    [InlineData("policy-map p\n class web\n", 2, 8, "only class-default is supported")]
    [InlineData("policy-map p\n set connection conn-max 5\n", 2, 2, "'set connection' belongs under 'class class-default'")]
    [InlineData("policy-map p\n class class-default\n  set connection per-client-max 5\n", 3, 18, "'set connection per-client-max' is not supported")]
    [InlineData("policy-map p\n class class-default\n  set connection conn-max 3000000\n", 3, 27, "conn-max must be a number from 0 to 2000000")]
    [InlineData("policy-map p\n class class-default\n  set connection timeout idle 1:00:00\n", 3, 26, "connection timeout 'idle' is not supported")]
    [InlineData("policy-map p\n class class-default\n  set connection timeout embryonic 0:00:01\n", 3, 36, "at least 0:00:05")]
    [InlineData("service-policy p global\n", 1, 16, "policy-map 'p' is not defined")]
    [InlineData("policy-map p\nservice-policy p interface INSIDE\n", 2, 18, "only a global service policy is supported")]
    [InlineData("policy-map p\nservice-policy p global\nno policy-map p\n", 3, 15, "in use by 'service-policy p global'")]
    [InlineData("policy-map type inspect dns p\n", 1, 12, "only plain policy-maps")]
    public void Refusals_name_line_column_and_reason(string text, int line, int column, string reason)
    {
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(text, "t.conf"));
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(reason, e.Reason);
    }
}
