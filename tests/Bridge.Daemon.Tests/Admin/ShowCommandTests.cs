using System.Text.Json.Nodes;

namespace Bridge.Daemon.Tests.Admin;

/// <summary>Each show command through the real socket against a runtime of real data paths fed from pcap files.</summary>
public sealed class ShowCommandTests : IAsyncLifetime
{
    private AdminFixture _f = null!;

    public async Task InitializeAsync() => _f = await AdminFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Show_version_names_version_uptime_workers_and_ports()
    {
        string text = await _f.TextAsync("show version");
        Assert.Contains("[ firepower ]", text);
        Assert.Contains("Bridge Software Version ", text);
        Assert.Contains("firepower up 1 hour 1 min", text);
        Assert.Matches(@"Workers\s+: 2", text);
        Assert.Contains(" 0: veth-in: driver pcap-file, link up, MTU 1500", text);
        Assert.Contains(" 1: veth-out: driver pcap-file", text);
    }

    [Fact]
    public async Task Show_conn_lists_the_seed_ping_flow_and_its_filters()
    {
        string all = await _f.TextAsync("sh conn");
        Assert.StartsWith("1 in use, ", all);
        Assert.Contains("ICMP OUTSIDE 192.168.101.1:5 INSIDE 192.168.103.1:5, idle 0:00:0", all);
        Assert.Equal("1 in use, 1 most used\n", await _f.TextAsync("show conn count"));
        Assert.Contains("Initiator: 192.168.103.1, Responder: 192.168.101.1", await _f.TextAsync("show conn detail"));
        Assert.Contains("ICMP OUTSIDE", await _f.TextAsync("show conn address 192.168.101.1"));
        Assert.DoesNotContain("ICMP", await _f.TextAsync("show conn address 10.9.9.9"));
        Assert.DoesNotContain("ICMP", await _f.TextAsync("show conn protocol tcp"));
        Assert.Contains("ICMP OUTSIDE", await _f.TextAsync("show conn protocol icmp"));

        var json = await _f.RunAsync("show conn", "json");
        var conn = json["json"]!["connections"]!.AsArray().Single()!;
        Assert.Equal("ICMP", conn["protocol"]!.GetValue<string>());
        Assert.Equal("192.168.103.1", conn["initiator"]!["address"]!.GetValue<string>());
        Assert.Equal("INSIDE", conn["initiator"]!["interface"]!.GetValue<string>());
    }

    [Fact]
    public async Task Show_asp_drop_counts_the_http_frames_the_policy_denied_and_clear_records_who()
    {
        string text = await _f.TextAsync("show asp drop");
        Assert.StartsWith("Frame drop:\n", text);
        Assert.Contains("Flow is denied by configured rule (acl-drop)", text);
        Assert.Contains("Last clearing: Never", text);
        var json = await _f.RunAsync("show asp drop frame", "json");
        long acl = json["json"]!["frame"]!["drops"]!["acl-drop"]!.GetValue<long>();
        Assert.True(acl > 0);
        Assert.Null(json["json"]!["flow"]);

        Assert.Equal("", await _f.TextAsync("clear asp drop frame"));
        string after = await _f.TextAsync("show asp drop");
        Assert.DoesNotContain("(acl-drop)", after);
        Assert.Matches(@"Frame drop:\n\nLast clearing: \d\d:\d\d:\d\d UTC \w{3} \d+ \d{4} by root\n", after);
        Assert.EndsWith("Last clearing: Never\n", after);
    }

    [Fact]
    public async Task Show_access_list_has_hit_counts_and_clear_counters_zeroes_them()
    {
        string text = await _f.TextAsync("show access-list CSM_FW_ACL_");
        Assert.Contains("access-list CSM_FW_ACL_; 3 elements", text);
        Assert.Contains("rule-id 268436482 event-log both (hitcnt=1)", text);
        Assert.Matches(@"deny ip any any rule-id 268434432 \(hitcnt=[1-9]\d*\)", text);
        Assert.Equal("", await _f.TextAsync("clear access-list CSM_FW_ACL_ counters"));
        Assert.DoesNotMatch(@"hitcnt=[1-9]", await _f.TextAsync("show access-list"));
    }

    [Fact]
    public async Task Show_interface_has_the_ftd_shape_with_bridge_counters()
    {
        string text = await _f.TextAsync("show interface INSIDE");
        Assert.StartsWith("Interface veth-in.1577 \"INSIDE\", is up, line protocol is up\n", text);
        Assert.Contains("        VLAN identifier 1577\n", text);
        Assert.Contains("        IP address unassigned\n", text);
        Assert.Contains("  Traffic Statistics for \"INSIDE\":\n        4 packets input, ", text);
        Assert.Contains("      1 minute input rate 0 pkts/sec,  0 bytes/sec\n", text);
        Assert.Contains("      5 minute drop rate, 0 pkts/sec\n", text);
        Assert.DoesNotContain("OUTSIDE", text);

        string all = await _f.TextAsync("sh int detail");
        Assert.Contains("Interface veth-out \"OUTSIDE\"", all);
        Assert.Contains("Ring and fanout settings: replay", all);
        var json = await _f.RunAsync("show interface OUTSIDE stats", "json");
        var o = json["json"]!["interfaces"]!.AsArray().Single()!;
        Assert.True(o["packetsInput"]!.GetValue<long>() >= 4);
        Assert.Equal("veth-out", o["port"]!["device"]!.GetValue<string>());
    }

    [Fact]
    public async Task Show_and_clear_mac_address_table()
    {
        string text = await _f.TextAsync("show mac-address-table");
        Assert.Contains("INSIDE                    000c.2998.3fec", text);
        Assert.Contains("OUTSIDE                   6c41.6aa1.2bf6", text);
        Assert.Equal("", await _f.TextAsync("clear mac-address-table INSIDE"));
        string after = await _f.TextAsync("show mac-address-table");
        Assert.DoesNotContain("000c.2998.3fec", after);
        Assert.Contains("6c41.6aa1.2bf6", after);
    }

    [Fact]
    public async Task Show_running_config_and_its_sections()
    {
        string all = await _f.TextAsync("show running-config");
        Assert.StartsWith(": Saved\n", all);
        Assert.Equal("access-group CSM_FW_ACL_ global\n", await _f.TextAsync("sh run access-g"));
        Assert.Contains("timeout icmp 0:00:02\n", await _f.TextAsync("show running-config timeout"));
        var json = await _f.RunAsync("show run mac-address-table", "json");
        Assert.Equal("mac-address-table aging-time 5\n", json["json"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clear_conn_removes_flows_by_address()
    {
        Assert.Equal("0 connection(s) deleted.\n", await _f.TextAsync("clear conn address 10.1.1.1"));
        Assert.Equal("1 connection(s) deleted.\n", await _f.TextAsync("clear conn address 192.168.103.1"));
        Assert.StartsWith("0 in use", await _f.TextAsync("show conn"));
    }

    [Fact]
    public async Task Errors_come_back_as_ftd_text_with_status_1()
    {
        var bad = await _f.RunAsync("show conn bogus");
        Assert.Equal(1, bad["status"]!.GetValue<int>());
        Assert.Equal("show conn bogus\n          ^\nERROR: % Invalid input detected at '^' marker.\n", bad["text"]!.GetValue<string>());
        var amb = await _f.RunAsync("sh a");
        Assert.Equal("% Ambiguous command:  \"sh a\"\n", amb["text"]!.GetValue<string>());
        Assert.Equal("% Incomplete command\n", (await _f.RunAsync("show asp"))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Help_and_completion_over_the_socket()
    {
        var help = await _f.RunAsync("show asp drop ", mode: "help");
        Assert.Equal("  flow           Show flow drops only\n  frame          Show frame drops only\n  <cr>\n", help["text"]!.GetValue<string>());
        var q = await _f.RunAsync("show interface ?");
        Assert.Contains("  WORD", q["text"]!.GetValue<string>());
        var c = await _f.RunAsync("show interface I", mode: "complete");
        Assert.Equal(["INSIDE"], c["completions"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(15, c["from"]!.GetValue<int>());
    }
}
