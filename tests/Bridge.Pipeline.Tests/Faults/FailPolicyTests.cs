using Bridge.Packets;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Counters;
using Bridge.Pipeline.Flows;
using Bridge.Pipeline.Stages.ExternalInspect;
using Bridge.Pipeline.Tests.Support;
using Bridge.Pipeline.Trace;

namespace Bridge.Pipeline.Tests.Faults;

/// <summary>
/// <c>snort fail-open</c> / <c>snort fail-close</c>: both policies against both causes (down: no
/// rule set loaded, or the engine threw; busy: the worker's receive backlog flag), with the drop
/// reason, the counters and the trace line each one must leave.
/// </summary>
public sealed class FailPolicyTests
{
    private const string RulesLine = "snort rules lab.rules\n";

    private static byte[] Udp(string payload) =>
        TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp(1000, 53, System.Text.Encoding.ASCII.GetBytes(payload)).Build();

    private static TestBed Bed(SnortFailPolicy policy, bool rulesConfigured = true)
    {
        string config = TestBed.SeedConfig + "\n" + (rulesConfigured ? RulesLine : "") + (policy == SnortFailPolicy.FailOpen ? "snort fail-open\n" : "");
        return new TestBed(config);
    }

    private static long Counter(DataPath dp, string name)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(ExternalInspectStage).TypeHandle);
        return dp.Counters[CounterRegistry.All.Single(c => c.Group == "SNORT" && c.Name == name).Index];
    }

    private sealed class ThrowingInspector : IExternalInspector
    {
        public string Application => "SNORT Inspect";
        public int Calls { get; private set; }
        public bool Throw { get; set; } = true;

        public InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow)
        {
            Calls++;
            return Throw ? throw new InvalidOperationException("engine bug") : InspectorVerdict.Pass;
        }
    }

    [Fact]
    public void Fail_close_is_the_default_and_is_not_printed()
    {
        var config = BridgeConfig.Parse(TestBed.SeedConfig + "\n" + RulesLine);
        Assert.Equal(SnortFailPolicy.FailClose, config.SnortFailPolicy);
        Assert.Equal("snort rules lab.rules\n", config.ToText("snort"));
    }

    [Theory]
    [InlineData("snort fail-open", SnortFailPolicy.FailOpen, "snort rules lab.rules\nsnort fail-open\n")]
    [InlineData("snort fail-close", SnortFailPolicy.FailClose, "snort rules lab.rules\n")]
    public void The_policy_line_parses_and_prints_canonically(string line, SnortFailPolicy expected, string text)
    {
        var config = BridgeConfig.Parse(TestBed.SeedConfig + "\n" + RulesLine + line + "\n");
        Assert.Equal(expected, config.SnortFailPolicy);
        Assert.Equal(text, config.ToText("snort"));
        Assert.Equal(expected, BridgeConfig.Parse(config.ToText()).SnortFailPolicy);
    }

    [Fact]
    public void A_wrong_policy_word_names_the_line()
    {
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(TestBed.SeedConfig + "\nsnort fail-sometimes\n", "bridge.conf"));
        Assert.StartsWith("bridge.conf:13:7: unknown snort setting 'fail-sometimes'", e.Message);
        Assert.Throws<ConfigException>(() => BridgeConfig.Parse("snort fail-open now\n"));
    }

    [Fact]
    public void Down_without_a_rule_set_fail_close_drops_with_snort_down()
    {
        var bed = Bed(SnortFailPolicy.FailClose);
        var trace = new TraceSink();
        Assert.Equal(DropReason.SnortDown, bed.Send(TestBed.Inside, Udp("hello"), trace: trace).Drop);
        Assert.Contains("Snort instance down (no rule set loaded), fail-close: drop this packet", TraceRenderer.Render(trace));
        Assert.Contains("Drop-reason: (snort-down) Snort instance down", TraceRenderer.Render(trace));
        Assert.Equal(DropReason.SnortDown, bed.Send(TestBed.Inside, Udp("again")).Drop);
        Assert.Equal(2, bed.Drops(DropReason.SnortDown));
        Assert.Equal(2, Counter(bed.Path, "fail_close_down"));
        Assert.Equal(0, Counter(bed.Path, "fail_open_down"));
        Assert.Empty(bed.Sent);
    }

    [Fact]
    public void Down_without_a_rule_set_fail_open_passes_uninspected_and_counts()
    {
        var bed = Bed(SnortFailPolicy.FailOpen);
        var trace = new TraceSink();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("hello"), trace: trace).Drop);
        Assert.Contains("fail-open: allow this packet without inspection", TraceRenderer.Render(trace));
        Assert.Single(bed.Sent);
        Assert.Equal(1, Counter(bed.Path, "fail_open_down"));
        Assert.Equal(0, bed.Drops(DropReason.SnortDown));
    }

    [Fact]
    public void Without_a_snort_rules_line_nothing_is_down()
    {
        var bed = Bed(SnortFailPolicy.FailClose, rulesConfigured: false);
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("hello")).Drop);
        Assert.Equal(0, Counter(bed.Path, "fail_close_down"));
    }

    [Theory]
    [InlineData(SnortFailPolicy.FailClose)]
    [InlineData(SnortFailPolicy.FailOpen)]
    public void An_engine_exception_is_down_for_that_packet_only(SnortFailPolicy policy)
    {
        var bed = Bed(policy);
        var engine = new ThrowingInspector();
        bed.Path.Inspector = engine;
        var expected = policy == SnortFailPolicy.FailOpen ? DropReason.None : DropReason.SnortDown;
        Assert.Equal(expected, bed.Send(TestBed.Inside, Udp("boom")).Drop);
        Assert.Equal(1, Counter(bed.Path, "engine_faults"));
        Assert.Equal(1, Counter(bed.Path, policy == SnortFailPolicy.FailOpen ? "fail_open_down" : "fail_close_down"));
        // The engine recovers: the same flow is inspected again and passes normally.
        engine.Throw = false;
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("fine")).Drop);
        Assert.Equal(2, engine.Calls);
        Assert.Equal(0, bed.Path.StageFaults);
    }

    [Theory]
    [InlineData(SnortFailPolicy.FailClose, DropReason.SnortBusyNotFailOpen, "fail_close_busy")]
    [InlineData(SnortFailPolicy.FailOpen, DropReason.None, "fail_open_busy")]
    public void Busy_skips_the_engine_and_applies_the_policy(SnortFailPolicy policy, DropReason expected, string counter)
    {
        var bed = Bed(policy);
        var engine = new ScriptedInspector();
        bed.Path.Inspector = engine;
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("before")).Drop);
        bed.Path.EngineBusy = true;
        var trace = new TraceSink();
        Assert.Equal(expected, bed.Send(TestBed.Inside, Udp("during"), trace: trace).Drop);
        Assert.Contains("Snort instance busy", TraceRenderer.Render(trace));
        Assert.Equal(expected, bed.Send(TestBed.Inside, Udp("during 2")).Drop);
        Assert.Equal(1, engine.Calls);
        Assert.Equal(2, Counter(bed.Path, counter));
        Assert.Equal(expected == DropReason.None ? 0 : 2, bed.Drops(DropReason.SnortBusyNotFailOpen));
        bed.Path.EngineBusy = false;
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("after")).Drop);
        Assert.Equal(2, engine.Calls);
    }

    [Fact]
    public void Busy_does_not_touch_a_fast_forwarded_flow_or_a_dry_run()
    {
        var bed = Bed(SnortFailPolicy.FailClose);
        var engine = new ScriptedInspector { OnMarker = InspectorVerdict.AllowFlow };
        bed.Path.Inspector = engine;
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("EVIL")).Drop);
        bed.Path.EngineBusy = true;
        // The engine let this flow go: nothing of it waits for the engine, busy or not.
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, Udp("more")).Drop);
        // packet-tracer asks the engine even while the worker is busy: it explains, it does not forward.
        var other = TestBed.FromA().Ipv4(TestBed.IpA, TestBed.IpB).Udp(2000, 53, "x"u8.ToArray()).Build();
        Assert.Equal(DropReason.None, bed.Send(TestBed.Inside, other, dryRun: true).Drop);
        Assert.Equal(0, Counter(bed.Path, "fail_close_busy"));
    }
}
