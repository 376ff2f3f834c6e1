using Bridge.Daemon.Tests.Admin;

namespace Bridge.Daemon.Tests.PacketTracer;

/// <summary>
/// packet-tracer over hostile packets (reliability issue §2): the dry run reaches the same
/// verdict as the data path, names the FTD reason and counts nothing.
/// </summary>
public sealed class HostileTracerTests : IAsyncLifetime
{
    private AdminFixture _f = null!;

    public async Task InitializeAsync() => _f = await AdminFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static void Has(string text, string expected) => Assert.True(text.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:\n{text}");

    [Fact]
    public async Task Land_attack_is_dropped_in_flow_lookup_as_sp_security_failed()
    {
        string drops = await _f.TextAsync("show asp drop");
        string text = await _f.TextAsync("packet-tracer input INSIDE tcp 192.168.103.1 139 192.168.103.1 139");
        Has(text, "Type: FLOW-LOOKUP\nSubtype: \nResult: DROP\n");
        Has(text, "Source and destination address are both 192.168.103.1: land attack");
        Has(text, "Action: drop\n");
        Has(text, "Drop-reason: (sp-security-failed) Slowpath security checks failed");
        Assert.DoesNotContain("Type: ACCESS-LIST\nSubtype: log", text);
        Assert.Equal(drops, await _f.TextAsync("show asp drop"));
    }

    [Theory]
    [InlineData("SYN,FIN")]
    [InlineData("FIN,PSH,URG")]
    [InlineData("0x00")]
    public async Task Impossible_tcp_flags_are_bad_tcp_flags_before_any_phase(string flags)
    {
        string text = await _f.TextAsync($"packet-tracer input INSIDE tcp 192.168.103.1 40000 192.168.101.1 www tcp-flags {flags}");
        Has(text, "Action: drop\n");
        Has(text, "Drop-reason: (bad-tcp-flags) Bad TCP flags");
        Assert.DoesNotContain("Phase:", text);
        Has(text, "input-interface: INSIDE");
    }
}
