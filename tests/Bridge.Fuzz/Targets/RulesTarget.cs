using System.Text;
using Bridge.Packets;
using Bridge.Rules;
using Bridge.Rules.Inspection;
using Bridge.Rules.Parsing;

namespace Bridge.Fuzz.Targets;

/// <summary>
/// <c>rules</c>: the input as a Snort rule file (any of the three dialects the parser detects),
/// read by <see cref="RuleFileParser"/>. Expected: no exception at all — a bad rule is counted in
/// the load report as rejected. Inputs whose length is a multiple of <see cref="CompileEvery"/>
/// and that load a rule are also compiled into a <see cref="RuleSet"/> and inspect an HTTP
/// request, a DNS query and an ICMP echo: compiling builds 64 Ki-entry matcher tables per
/// protocol group and packet direction (megabytes, ~10 ms even for one rule), which at every
/// input would hold the target to ~50 exec/s, at every eighth to ~1 100 and at every 64th to
/// ~1 700 per job; at every 256th the parser, which is what takes every input, gets most of the
/// time and the compiler still hundreds of runs a minute.
/// </summary>
internal sealed class RulesTarget : IFuzzTarget
{
    private static readonly byte[][] Frames =
    [
        FrameBuilder.Ethernet(new MacAddr(1), new MacAddr(2)).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"))
            .Tcp(40000, 80, TcpFlags.Ack | TcpFlags.Psh, 1, 1, payload: "GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Agent: curl\r\n\r\n"u8.ToArray()).Build(),
        FrameBuilder.Ethernet(new MacAddr(1), new MacAddr(2)).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"))
            .Udp(5353, 53, [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w', (byte)'w', 0, 0, 1, 0, 1]).Build(),
        FrameBuilder.Ethernet(new MacAddr(1), new MacAddr(2)).Ipv4(IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2")).IcmpEcho(true, 1, 1, 48).Build(),
    ];

    private const int CompileEvery = 256;

    private long _now = 1_700_000_000L * 1_000_000_000;

    public string Name => "rules";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        var parser = new RuleFileParser();
        parser.LoadText(text, "fuzz.rules");
        var rules = parser.Finish();
        if (rules.Count == 0 || input.Length % CompileEvery != 0) return;
        var set = RuleSet.FromText(text, "fuzz.rules");
        if (set.Report.Loaded != rules.Count)
            throw new FuzzInvariantException($"the same text loaded {rules.Count} rules, then {set.Report.Loaded}");
        var inspector = set.CreateInspector(64);
        var flows = new OfflineFlows(64);
        foreach (var frame in Frames)
        {
            _now += 1_000_000;
            flows.Inspect(frame, _now, inspector);
        }
    }
}
