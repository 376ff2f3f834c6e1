using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Tests.Fuzz;

namespace Bridge.Daemon.Tests.Fuzz;

/// <summary>
/// Smoke fuzzing of the command grammar (issue 11 §1, CI mode): damaged command lines — real ones
/// from the seed and the catalogue's help, cut, doubled and garbled — must parse to a command or an
/// FTD error, and help and completion must answer, without an exception.
/// </summary>
public sealed class GrammarFuzzTests
{
    private static readonly string[] Lines =
    [
        "capture CAPI interface INSIDE match icmp host 192.168.103.1 host 192.168.101.1",
        "capture CAPI2 interface INSIDE trace detail trace-count 100 match icmp host 192.168.103.1 host 192.168.101.1",
        "show capture CAPI packet-number 1 trace detail",
        "packet-tracer input INSIDE icmp 192.168.103.1 8 0 192.168.101.1 detailed json",
        "packet-tracer input INSIDE tcp 10.1.1.1 40000 10.2.2.2 443 payload-hex deadbeef",
        "copy /noconfirm /pcap capture:CAPI tftp://127.0.0.1/c.pcap",
        "access-list CSM_FW_ACL_ advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482 event-log both",
        "no access-list CSM_FW_ACL_ advanced deny ip any any rule-id 268434432",
        "show conn address 192.168.103.1 detail",
        "clear access-list CSM_FW_ACL_ counters",
        "http 192.168.103.0 255.255.255.0 INSIDE",
        "username admin password secret privilege 15",
        "show snort rules sid 1000001",
        "timeout conn 1:00:00",
        "show running-config access-list",
        "debug http 255",
        "capture-traffic",
        "access-list CSM_FW_ACL_ line 2 advanced deny udp any any eq 9999 rule-id 9999",
        "interface veth-in.1577",
        " nameif INSIDE",
        " vlan 1577",
        "no shutdown",
        "object-group service WEB-PORTS tcp",
        " port-object range 8000 8080",
        " network-object host 192.168.103.5",
    ];

    [Fact]
    public void Damaged_command_lines_parse_or_get_an_ftd_error()
    {
        const int Rounds = 1_000_000;
        var root = CommandCatalogue.BuildTree();
        // Every fifth line goes to one of the configuration sub-modes' grammars.
        CommandTree[] trees = [root, .. root.Root.SubModes.Keys.Order(StringComparer.Ordinal).Select(m => root.Mode(m)!)];
        Assert.True(trees.Length >= 5, $"{trees.Length - 1} sub-modes");
        var snapshot = RuntimeSnapshot.Build(BridgeConfig.Load(Path.Combine(Admin.AdminFixture.Repo(), "config", "lab.conf")));
        var mutator = new Mutator(1577);
        int complete = 0, refused = 0;
        for (int round = 0; round < Rounds; round++)
        {
            string line = mutator.Mutate(Lines[mutator.Random.Next(Lines.Length)]);
            var tree = round % 5 == 0 ? trees[mutator.Random.Next(trees.Length)] : root;
            try
            {
                var parsed = tree.Parse(line, snapshot);
                if (parsed.Status == ParseStatus.Complete) complete++;
                else
                {
                    Assert.NotEmpty(CommandTree.ErrorText(parsed, line));
                    refused++;
                }
                if (round % 10 == 0)
                {
                    tree.Help(line, snapshot);
                    tree.Complete(line, snapshot);
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: {e.GetType().Name}: {e.Message}\n--- line ---\n{line}");
            }
        }
        Assert.True(complete > 0 && refused > 0, $"complete {complete}, refused {refused}");
    }
}
