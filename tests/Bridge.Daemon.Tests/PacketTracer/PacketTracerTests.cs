using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Bridge.Daemon.Tests.Admin;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Flows;
using Json.Schema;

namespace Bridge.Daemon.Tests.PacketTracer;

/// <summary>
/// packet-tracer through the real admin socket, over real data paths (<see cref="AdminFixture"/>:
/// config/lab.conf, the seed ping already forwarded, the HTTP capture denied on OUTSIDE).
/// </summary>
public sealed class PacketTracerTests : IAsyncLifetime
{
    private const string Seed = "packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1";

    private AdminFixture _f = null!;

    public async Task InitializeAsync() => _f = await AdminFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static string[] PhaseTypes(string text) =>
        [.. Regex.Matches(text, @"^Phase: \d+\nType: (.*)\nSubtype: (.*)\n", RegexOptions.Multiline).Select(m => (m.Groups[1].Value + " " + m.Groups[2].Value).Trim())];

    private static string PhaseBlock(string text, string type, string subtype = "")
    {
        var m = Regex.Match(text, $@"^Phase: \d+\nType: {Regex.Escape(type)}\nSubtype: {Regex.Escape(subtype)}\n(?:.*\n)*?\n", RegexOptions.Multiline);
        Assert.True(m.Success, $"no {type} {subtype} phase in:\n{text}");
        return m.Value;
    }

    private async Task<string> Fails(string command)
    {
        var r = await _f.RunAsync(command);
        Assert.True(r["status"]!.GetValue<int>() != 0, $"'{command}' should fail: {r["text"]}");
        return r["text"]!.GetValue<string>();
    }

    /// <summary>Everything an operator could see move: connections, drops, hit counts, MACs, interface counters.</summary>
    private async Task<string> Observable()
    {
        var parts = new List<string>();
        foreach (var c in new[] { "show conn detail", "show asp drop", "show access-list", "show mac-address-table", "show interface" })
        {
            parts.Add(await _f.TextAsync(c));
        }
        foreach (var w in _f.Runtime.Workers)
        {
            parts.Add(string.Join(",", w.Counters) + "|" + string.Join(",", w.FrameDrops) + "|" + string.Join(",", w.FlowDrops) + "|" + w.Flows.Count + "|" + w.Flows.PeekNextId());
            parts.Add(string.Join(",", w.Interfaces.Select(i => $"{i.PacketsIn}/{i.BytesIn}/{i.PacketsOut}/{i.BytesOut}/{i.Dropped}")));
        }
        return string.Join("\n----\n", parts);
    }

    // Loaded once: the library registers a schema by its $id and refuses a second registration.
    private static readonly Lazy<JsonSchema> LoadedSchema = new(() =>
        JsonSchema.FromFile(Path.Combine(AdminFixture.Repo(), "src", "Bridge.Daemon", "Commands", "PacketTracer", "packet-tracer.schema.json")));

    private static JsonSchema Schema() => LoadedSchema.Value;

    private static void AssertValid(JsonNode json)
    {
        var result = Schema().Evaluate(Element(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))) + "\n" + json.ToJsonString());
    }

    private static System.Text.Json.JsonElement Element(JsonNode json) => System.Text.Json.JsonDocument.Parse(json.ToJsonString()).RootElement;

    [Fact]
    public async Task Seed_example_runs_the_transparent_mode_phases_in_ftd_order_and_allows()
    {
        string text = await _f.TextAsync(Seed);
        Assert.Equal(
            ["ACCESS-LIST", "L2-EGRESS-IFC-LOOKUP Destination MAC L2 Lookup", "FLOW-LOOKUP", "ACCESS-LIST log", "CONN-SETTINGS", "IP-OPTIONS", "INSPECT np-inspect", "FLOW-CREATION"],
            PhaseTypes(text));
        Assert.StartsWith("Phase: 1\nType: ACCESS-LIST\nSubtype: \nResult: ALLOW\nElapsed time: ", text);
        Assert.Contains("Config:\nImplicit Rule\nAdditional Information:\nMAC Access list\n", text);
        Assert.Contains("Destination MAC lookup resulted in egress ifc OUTSIDE", text.Replace("Destination MAC 0200.0000.0002 not learned yet; the only other member is egress ifc OUTSIDE", "Destination MAC lookup resulted in egress ifc OUTSIDE", StringComparison.Ordinal));
        Assert.Contains("access-group CSM_FW_ACL_ global\naccess-list CSM_FW_ACL_ advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482 event-log both\naccess-list CSM_FW_ACL_ remark rule-id 268436482: ACCESS POLICY: FTD5515 - Mandatory/1\n", text);
        Assert.Matches(@"New flow created with id \d+, packet dispatched to next module\n", text);
        Assert.Matches(@"\n\nResult:\ninput-interface: INSIDE\ninput-status: up\ninput-line-status: up\noutput-interface: OUTSIDE\noutput-status: up\noutput-line-status: up\nAction: allow\nTime Taken: \d+ ns\n$", text);
        Assert.DoesNotContain("Forward Flow based lookup", text);
    }

    [Fact]
    public async Task Tracing_changes_no_connection_counter_hit_count_mac_or_interface_statistic()
    {
        string before = await Observable();
        await _f.TextAsync(Seed);
        await _f.TextAsync(Seed + " detailed json");
        await _f.TextAsync("packet-tracer input INSIDE tcp 192.168.103.1 40000 192.168.101.1 www state established payload \"GET / HTTP/1.1\\r\\n\"");
        await _f.TextAsync("packet-tracer input OUTSIDE icmp 192.168.101.1 0 0 5 192.168.103.1");
        await _f.TextAsync("packet-tracer input INSIDE udp 10.1.1.1 1234 10.2.2.2 domain");
        await _f.TextAsync("packet-tracer input OUTSIDE icmp 192.168.101.1 8 0 5 192.168.103.1 state established");
        string after = await Observable();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_deny_ace_drops_in_access_list_with_acl_drop()
    {
        string text = await _f.TextAsync("packet-tracer input INSIDE udp 10.1.1.1 1234 10.2.2.2 domain");
        string acl = PhaseBlock(text, "ACCESS-LIST", "log");
        Assert.Contains("Result: DROP\n", acl);
        Assert.Contains("access-list CSM_FW_ACL_ advanced deny ip any any rule-id 268434432\n", acl);
        Assert.EndsWith("Action: drop\n" + Regex.Match(text, @"Time Taken: \d+ ns\n").Value + "Drop-reason: (acl-drop) Flow is denied by configured rule\n", text);
        Assert.Equal("ACCESS-LIST log", PhaseTypes(text)[^1]);
    }

    [Fact]
    public async Task Detailed_adds_the_rule_dump_with_the_hit_count_and_the_flow_lookup()
    {
        string text = await _f.TextAsync(Seed + " detailed");
        string acl = PhaseBlock(text, "ACCESS-LIST", "log");
        Assert.Contains(" Forward Flow based lookup yields rule:\n", acl);
        // The seed ping's first packet hit rule 268436482 once; the trace adds no hit.
        Assert.Contains("        hits=1, user_data=0x" + 268436482L.ToString("x") + ",", acl);
        Assert.Contains("        rule-id 268436482, CSM_FW_ACL_ line ", acl);
        Assert.Contains("dst mac=0000.0000.0000, mask=0100.0000.0000", PhaseBlock(text, "ACCESS-LIST"));
        Assert.Contains(" Looked up in worker 0's connection table: no match", PhaseBlock(text, "FLOW-LOOKUP"));
        Assert.Contains("Module information for forward flow ...", PhaseBlock(text, "FLOW-CREATION"));
    }

    [Fact]
    public async Task An_existing_connection_is_found_on_the_worker_that_holds_it()
    {
        // The seed ping (echo id 5) is a connection on worker 0; a further request uses it.
        await _f.Runtime.RunOnWorker(0, w => w.Flows.Count);
        string text = await _f.TextAsync("packet-tracer input INSIDE icmp 192.168.103.1 8 0 5 192.168.101.1 detailed");
        Assert.Contains("Found flow with id 1, using existing flow", text);
        Assert.Contains(" Looked up in worker 0's connection table: flow id 1", text);
        Assert.DoesNotContain("FLOW-CREATION", text);
        Assert.Contains("Action: allow", text);
    }

    [Fact]
    public async Task Dmac_picks_the_egress_member_or_drops_an_unknown_or_same_side_destination()
    {
        // A third member makes unknown unicast a drop (two members form an inline pair). It goes
        // last so that the nameif indexes the MAC table has learned keep their meaning.
        string conf = File.ReadAllText(_f.ConfigPath).Replace(" nameif OUTSIDE\n bridge-group 1\n!\n", " nameif OUTSIDE\n bridge-group 1\n!\ninterface veth-out.20\n vlan 20\n nameif DMZ\n bridge-group 1\n!\n", StringComparison.Ordinal);
        Assert.True(_f.Runtime.Apply(BridgeConfig.Parse(conf)).Applied);

        string unknown = await _f.TextAsync("packet-tracer input INSIDE icmp 192.168.103.1 8 0 0050.5600.9999 192.168.101.1");
        Assert.Contains("Type: L2-EGRESS-IFC-LOOKUP\nSubtype: Destination MAC L2 Lookup\nResult: DROP\n", unknown);
        Assert.Contains("Destination MAC 0050.5600.9999 not found", unknown);
        Assert.Contains("Drop-reason: (dst-l2_lookup-fail) Dst MAC L2 Lookup Failed", unknown);

        string known = await _f.TextAsync("packet-tracer input INSIDE icmp 192.168.103.1 8 0 6c41.6aa1.2bf6 192.168.101.1");
        Assert.True(known.Contains("Destination MAC lookup resulted in egress ifc OUTSIDE", StringComparison.Ordinal), known);
        Assert.Contains("output-interface: OUTSIDE\n", known);
        Assert.Contains("Action: allow", known);

        string sameSide = await _f.TextAsync("packet-tracer input INSIDE icmp 192.168.103.1 8 0 000c.2998.3fec 192.168.101.1");
        Assert.Contains("Destination MAC 000c.2998.3fec is on the ingress ifc INSIDE", sameSide);
        Assert.Contains("Action: drop", sameSide);
    }

    [Fact]
    public async Task Inspection_drops_an_echo_reply_without_a_request_and_a_tcp_packet_that_is_not_a_syn()
    {
        string reply = await _f.TextAsync("packet-tracer input OUTSIDE icmp 192.168.101.1 0 0 77 192.168.103.1");
        string inspect = PhaseBlock(reply, "INSPECT", "np-inspect");
        Assert.Contains("Result: DROP\n", inspect);
        Assert.Contains("  inspect icmp \n", inspect);
        Assert.Contains("Drop-reason: (inspect-icmp-seq-num-not-matched)", reply);

        string ack = await _f.TextAsync("packet-tracer input INSIDE tcp 192.168.103.1 40000 192.168.101.1 https tcp-flags ACK");
        Assert.Contains("Drop-reason: (tcp-not-syn)", ack);
    }

    [Fact]
    public async Task State_established_simulates_the_packet_on_a_connection_and_a_content_rule_sees_the_payload()
    {
        foreach (var w in _f.Runtime.Workers) w.Inspector = new ContentInspector("cmd.exe");
        string clean = await _f.TextAsync("packet-tracer input INSIDE tcp 192.168.103.1 40000 192.168.101.1 www state established payload \"GET /index.html HTTP/1.1\\r\\n\"");
        Assert.Contains("Found flow with id", clean);
        Assert.Contains("state established: connection opened in the tracer's sandbox (SYN, SYN-ACK, ACK), live tables untouched", clean);
        Assert.Contains("Type: EXTERNAL-INSPECT\nSubtype: \nResult: ALLOW\n", clean);
        Assert.Contains("Snort Verdict: (pass-packet) allow this packet", clean);
        Assert.Contains("Action: allow", clean);

        string bad = await _f.TextAsync("packet-tracer input INSIDE tcp 192.168.103.1 40000 192.168.101.1 www state established payload \"GET /scripts/cmd.exe HTTP/1.1\"");
        Assert.Contains("Type: SNORT\nSubtype: \nResult: DROP\n", bad);
        Assert.Contains("Drop-reason: (snort-drop)", bad);
        Assert.Equal(1, ContentInspector.MatchedPayloads);

        string hex = await _f.TextAsync("packet-tracer input INSIDE udp 192.168.103.1 5000 192.168.101.1 5001 payload-hex 636d642e657865 json");
        Assert.Equal("drop", JsonNode.Parse(hex)!["result"]!["action"]!.GetValue<string>());
        Assert.Equal(7, JsonNode.Parse(hex)!["packet"]!["payloadLength"]!.GetValue<int>());
    }

    [Fact]
    public async Task Xml_is_well_formed_with_ftd_element_names()
    {
        string xml = await _f.TextAsync(Seed + " detailed xml");
        var doc = XDocument.Parse(xml);
        Assert.Equal("packet-tracer", doc.Root!.Name.LocalName);
        var phases = doc.Root.Elements("Phase").ToList();
        Assert.Equal(8, phases.Count);
        Assert.Equal("1", phases[0].Element("id")!.Value);
        Assert.Equal("ACCESS-LIST", phases[0].Element("type")!.Value);
        Assert.Equal("ALLOW", phases[0].Element("result")!.Value);
        Assert.Equal("Implicit Rule", phases[0].Element("config")!.Value);
        Assert.StartsWith("MAC Access list", phases[0].Element("extra")!.Value);
        Assert.Matches(@"^\d+ ns$", phases[0].Element("elapsed-time")!.Value);
        var result = doc.Root.Element("result")!;
        Assert.Equal("INSIDE", result.Element("input-interface")!.Value);
        Assert.Equal("OUTSIDE", result.Element("output-interface")!.Value);
        Assert.Equal("allow", result.Element("action")!.Value);

        var drop = XDocument.Parse(await _f.TextAsync("packet-tracer input INSIDE udp 10.1.1.1 1234 10.2.2.2 53 xml"));
        Assert.Equal("(acl-drop) Flow is denied by configured rule", drop.Root!.Element("result")!.Element("drop-reason")!.Value);
    }

    [Fact]
    public async Task Json_validates_against_the_schema_and_carries_the_same_facts()
    {
        var json = JsonNode.Parse(await _f.TextAsync(Seed + " json"))!;
        AssertValid(json);
        Assert.Equal(8, json["phases"]!.AsArray().Count);
        Assert.Equal("allow", json["result"]!["action"]!.GetValue<string>());
        Assert.Equal("192.168.103.1", json["packet"]!["source"]!.GetValue<string>());

        var drop = JsonNode.Parse(await _f.TextAsync("packet-tracer input INSIDE udp 10.1.1.1 1234 10.2.2.2 53 detailed json"))!;
        AssertValid(drop);
        Assert.Equal("acl-drop", drop["result"]!["dropReason"]!["keyword"]!.GetValue<string>());

        // --json on the text form answers with the same document.
        var viaClient = (await _f.RunAsync(Seed, "json"))["json"]!;
        AssertValid(viaClient);

        // The schema is not a rubber stamp.
        json["result"]!["action"] = "maybe";
        Assert.False(Schema().Evaluate(Element(json)).IsValid);
    }

    [Fact]
    public async Task Syntax_errors_refusals_port_names_vlan_and_ipv6()
    {
        Assert.Contains("^\nERROR: % Invalid input detected at '^' marker.", await Fails("packet-tracer input NOPE icmp 1.1.1.1 8 0 2.2.2.2"));
        const string badLine = "packet-tracer input INSIDE icmp 192.168.300.1 8 0 192.168.101.1";
        string badAddress = await Fails(badLine);
        Assert.Equal(badLine + "\n" + new string(' ', badLine.IndexOf("192.168.300", StringComparison.Ordinal)) + "^\nERROR: % Invalid input detected at '^' marker.\n", badAddress);
        Assert.Equal("% Incomplete command\n", await Fails("packet-tracer input INSIDE tcp 192.168.103.1 1234 192.168.101.1"));
        foreach (var refused in new[] { "inline-tag 5 1.1.1.1 8 0 2.2.2.2", "user bob 8 0 2.2.2.2", "fqdn a.example 8 0 2.2.2.2", "security-group tag 5 8 0 2.2.2.2" })
        {
            Assert.Contains("is not supported on this platform", await Fails("packet-tracer input INSIDE icmp " + refused));
        }
        Assert.Contains("'decrypted' is not supported on this platform", await Fails("packet-tracer input INSIDE pcap x.pcap decrypted"));
        Assert.Contains("same IP version", await Fails("packet-tracer input INSIDE icmp 192.168.103.1 8 0 2001:db8::1"));
        Assert.Contains("not a valid ICMP type", await Fails("packet-tracer input INSIDE icmp 192.168.103.1 neighbor-solicitation 0 192.168.101.1"));

        string names = await _f.TextAsync("packet-tracer input INSIDE tcp 192.168.103.1 ssh 192.168.101.1 https json");
        Assert.Equal(22, JsonNode.Parse(names)!["packet"]!["sourcePort"]!.GetValue<int>());
        Assert.Equal(443, JsonNode.Parse(names)!["packet"]!["destinationPort"]!.GetValue<int>());
        Assert.Contains("Action: allow", await _f.TextAsync("packet-tracer input INSIDE vlan-id 1577 rawip 192.168.103.1 gre 192.168.101.1"));
        string wrongVlan = await _f.TextAsync("packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1 vlan-id 99");
        Assert.Contains("Drop-reason: (invalid-encap)", wrongVlan);

        string v6 = await _f.TextAsync("packet-tracer input INSIDE icmp 2001:db8::1 echo 0 2001:db8::2 json");
        Assert.Equal(58, JsonNode.Parse(v6)!["packet"]!["ipProtocol"]!.GetValue<int>());
        Assert.Contains("\"action\": \"drop\"", v6);

        string help = (await _f.RunAsync("packet-tracer input INSIDE ?"))["text"]!.GetValue<string>();
        foreach (var w in new[] { "icmp", "pcap", "rawip", "sctp", "tcp", "udp", "vlan-id" }) Assert.Contains("  " + w + " ", help);
        string tail = (await _f.RunAsync("packet-tracer input INSIDE tcp 1.1.1.1 1 2.2.2.2 2 ?"))["text"]!.GetValue<string>();
        foreach (var w in new[] { "detailed", "json", "payload", "payload-hex", "state", "tcp-flags", "vlan-id", "xml", "<cr>" }) Assert.Contains("  " + w, tail);
        string payloadError = await Fails("packet-tracer input INSIDE udp 1.1.1.1 1 2.2.2.2 2 payload \"abc\" verbose");
        Assert.Contains("\"abc\" verbose\n" + new string(' ', "packet-tracer input INSIDE udp 1.1.1.1 1 2.2.2.2 2 payload \"abc\" ".Length) + "^\n", payloadError);
    }

    [Fact]
    public async Task A_pcap_of_several_flows_is_replayed_in_a_sandbox_and_summarised_by_path()
    {
        var a = AdminFixture.MacA;
        var b = AdminFixture.MacB;
        var ipA = AdminFixture.IpA;
        var ipB = AdminFixture.IpB;
        long t = 1_800_000_000L * 1_000_000_000;
        string file = Path.Combine(_f.Dir, "flows.pcap");
        using (var w = PcapWriter.Create(file))
        {
            // 1-2: ping and its reply (untagged in the file: the tracer tags for the ingress interface).
            w.Write(t, FrameBuilder.Ethernet(a, b).Ipv4(ipA, ipB).IcmpEcho(true, 9, 1).Build());
            w.Write(t + 1000, FrameBuilder.Ethernet(b, a).Ipv4(ipB, ipA).IcmpEcho(false, 9, 1).Build());
            // 3-6: a TCP handshake and a data segment.
            w.Write(t + 2000, FrameBuilder.Ethernet(a, b).Ipv4(ipA, ipB).Tcp(40000, 80, TcpFlags.Syn, 100).Build());
            w.Write(t + 3000, FrameBuilder.Ethernet(b, a).Ipv4(ipB, ipA).Tcp(80, 40000, TcpFlags.Syn | TcpFlags.Ack, 900, 101).Build());
            w.Write(t + 4000, FrameBuilder.Ethernet(a, b).Ipv4(ipA, ipB).Tcp(40000, 80, TcpFlags.Ack, 101, 901).Build());
            w.Write(t + 5000, FrameBuilder.Ethernet(a, b).Ipv4(ipA, ipB).Tcp(40000, 80, TcpFlags.Ack | TcpFlags.Psh, 101, 901, payload: "GET / HTTP/1.0\r\n\r\n"u8.ToArray()).Build());
            // 7: denied by the default rule. 8: a source-route option. 9: an EtherType no rule permits.
            w.Write(t + 6000, FrameBuilder.Ethernet(a, b).Ipv4(IpAddr.Parse("10.1.1.1"), IpAddr.Parse("10.2.2.2")).Udp(1, 53).Build());
            w.Write(t + 7000, FrameBuilder.Ethernet(a, b).Ipv4(ipA, ipB, options: [131, 7, 4, 0, 0, 0, 0, 0]).Udp(5000, 5001).Build());
            w.Write(t + 8000, FrameBuilder.Ethernet(a, b).Raw(0x8137, new byte[46]).Build());
        }
        string before = await Observable();

        string replay = await _f.TextAsync("packet-tracer input INSIDE pcap flows.pcap");
        Assert.StartsWith($"9 packets traced from {file} (input INSIDE), ", replay);
        Assert.Contains("Action: drop (acl-drop)\n  Packets: 7\n", replay);
        Assert.Contains("Action: drop (invalid-ip-option)\n  Packets: 8\n", replay);
        Assert.Contains("Action: drop (l2_acl)\n  Packets: 9\n", replay);
        // 1 opens an ICMP connection (INSPECT icmp), 3 a TCP one; 2, 4, 5, 6 use the connections the replay built.
        Assert.Contains(", 6 distinct paths\n", replay);
        Assert.Contains("Path 1: 1 packet, Action: allow\n  Packets: 1\n", replay);
        Assert.Contains("Path 2: 4 packets, Action: allow\n  Packets: 2, 4, 5, 6\n  ACCESS-LIST: ALLOW\n  L2-EGRESS-IFC-LOOKUP (Destination MAC L2 Lookup): ALLOW\n  FLOW-LOOKUP: ALLOW\n\n", replay);
        Assert.Contains("Path 3: 1 packet, Action: allow\n  Packets: 3\n", replay);
        Assert.Equal(before, await Observable());

        string reply = await _f.TextAsync("show packet-tracer packet-number 2");
        Assert.StartsWith("   2: ", reply);
        Assert.Contains(" OUTSIDE 192.168.101.1 > 192.168.103.1: icmp: echo reply\n", reply);
        Assert.Contains("input-interface: OUTSIDE\n", reply);
        Assert.Contains("Found flow with id 1, using existing flow", reply);
        Assert.EndsWith("1 packet shown\n", reply);
        Assert.Contains("Forward Flow based lookup yields rule:", await _f.TextAsync("show packet-tracer packet-number 7 detailed"));
        Assert.EndsWith("9 packets shown\n", await _f.TextAsync("show packet-tracer"));

        var summary = (await _f.RunAsync("show packet-tracer summary", "json"))["json"]!;
        AssertValid(summary);
        Assert.Equal(9, summary["paths"]!.AsArray().Sum(p => p!["count"]!.GetValue<int>()));
        Assert.Contains("Path 2: 4 packets", await _f.TextAsync("show packet-tracer summary"));

        Assert.Contains("'clear packet-tracer' or add 'force'", await Fails("packet-tracer input INSIDE pcap flows.pcap"));
        var json = JsonNode.Parse(await _f.TextAsync("packet-tracer input INSIDE pcap flows.pcap force json"))!;
        AssertValid(json);
        Assert.Equal(9, json["packets"]!.AsArray().Count);
        Assert.Equal("OUTSIDE", json["packets"]![1]!["ingressInterface"]!.GetValue<string>());
        var xml = XDocument.Parse(await _f.TextAsync("packet-tracer input INSIDE pcap flows.pcap force xml"));
        Assert.Equal(9, xml.Root!.Elements("packet").Count());

        Assert.Equal("9 packet trace(s) freed.\n", await _f.TextAsync("clear packet-tracer"));
        Assert.Contains("no packet-tracer traces are stored", await Fails("show packet-tracer"));
        Assert.Contains("cannot read pcap file", await Fails("packet-tracer input INSIDE pcap " + _f.ConfigPath));
    }

    /// <summary>A stand-in for the rules engine: blocks any packet whose payload contains a string.</summary>
    private sealed class ContentInspector(string needle) : IExternalInspector
    {
        public static int MatchedPayloads;

        public string Application => "SNORT Inspect";

        public InspectorVerdict Inspect(ref PacketContext ctx, ref Flow flow)
        {
            var payload = ctx.Info.PayloadLength > 0 ? ctx.Frame.Slice(ctx.Info.PayloadOffset, ctx.Info.PayloadLength) : [];
            if (payload.IndexOf(System.Text.Encoding.ASCII.GetBytes(needle)) < 0) return InspectorVerdict.Pass;
            if (ctx.Info.IsTcp) Interlocked.Increment(ref MatchedPayloads);
            return InspectorVerdict.BlockPacket;
        }
    }
}
