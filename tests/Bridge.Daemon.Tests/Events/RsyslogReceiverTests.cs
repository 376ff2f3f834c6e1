using Bridge.Daemon.Commands;
using Bridge.Daemon.Events;
using Bridge.Daemon.Tests.Admin;
using Bridge.Daemon.Tests.Export;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Daemon.Tests.Events;

/// <summary>
/// A real syslog receiver: rsyslogd, started by the test on 127.0.0.1 with UDP and TCP inputs,
/// parses what the pump sends and writes the RFC 5424 parts it recognised (MSGID, structured data,
/// header fields) to a file. Proves the messages are RFC 5424 by another implementation's reading,
/// and that rsyslog's imtcp takes the octet-counted framing.
/// </summary>
public sealed class RsyslogReceiverTests : IAsyncDisposable
{
    private const long T0 = 1_700_000_000L * 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-rsyslog-").FullName;

    public async ValueTask DisposeAsync()
    {
        await Task.Yield();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Rsyslog_reads_built_and_teardown_over_udp_and_tcp()
    {
        int udp = FreePort.Udp();
        int tcp = FreePort.Tcp();
        string output = Path.Combine(_dir, "received.txt");
        string conf = Path.Combine(_dir, "rsyslog.conf");
        // One tab-separated line per message: what rsyslog parsed out of each RFC 5424 part.
        File.WriteAllText(conf, $$"""
            global(workDirectory="{{_dir}}")
            module(load="imudp")
            module(load="imtcp")
            input(type="imudp" address="127.0.0.1" port="{{udp}}")
            input(type="imtcp" address="127.0.0.1" port="{{tcp}}")
            template(name="parts" type="list") {
              property(name="inputname") constant(value="\t")
              property(name="msgid") constant(value="\t")
              property(name="structured-data") constant(value="\t")
              property(name="hostname") constant(value="\t")
              property(name="app-name") constant(value="\t")
              property(name="syslogfacility") constant(value="\t")
              property(name="syslogseverity") constant(value="\t")
              property(name="msg") constant(value="\n")
            }
            *.* action(type="omfile" file="{{output}}" template="parts")
            """);
        using var rsyslog = ServerProcess.Start("rsyslogd", "-n", "-f", conf, "-i", Path.Combine(_dir, "rsyslogd.pid"));
        rsyslog.WaitTcp(tcp);
        rsyslog.WaitUdp(udp);

        string bridgeConf = Path.Combine(_dir, "bridge.conf");
        File.Copy(Path.Combine(AdminFixture.Repo(), "config", "lab.conf"), bridgeConf);
        var runtime = new PcapRuntime(bridgeConf);
        var dispatcher = new CommandDispatcher(CommandCatalogue.BuildTree(), runtime, new ControlPlaneState());
        var admin = new AdminSession("root", AdminRole.Admin);
        foreach (var line in new[] { $"logging host INSIDE 127.0.0.1 udp/{udp}", $"logging host OUTSIDE 127.0.0.1 tcp/{tcp}", "logging trap informational", "logging enable" })
        {
            var r = await dispatcher.ExecuteAsync(line, admin, json: false, stream: null, CancellationToken.None);
            Assert.True(r.Status == 0, r.Text);
        }
        using var pump = new EventPump(runtime, NullLoggerFactory.Instance, new EventPumpOptions { AlertDirectory = _dir, JournalSocket = "off" });
        try
        {
            string pcap = Path.Combine(_dir, "udp.pcap");
            using (var w = PcapWriter.Create(pcap))
            {
                w.Write(T0, FrameBuilder.Ethernet(AdminFixture.MacA, AdminFixture.MacB).Vlan(1577).Ipv4(AdminFixture.IpA, AdminFixture.IpB).Udp(33000, 53, new byte[30]).Build());
                w.Write(T0 + 1_000_000, FrameBuilder.Ethernet(AdminFixture.MacB, AdminFixture.MacA).Ipv4(AdminFixture.IpB, AdminFixture.IpA).Udp(53, 33000, new byte[60]).Build());
            }
            runtime.Feed(pcap, 1, r => r.Data.Span[12] == 0x81 ? 0 : 1);
            var cleared = await dispatcher.ExecuteAsync("clear conn", admin, json: false, stream: null, CancellationToken.None);
            Assert.Equal(0, cleared.Status);
            pump.Drain();

            var lines = await WaitForLines(output, 4);
            foreach (var input in new[] { "imudp", "imtcp" })
            {
                var mine = lines.Where(l => l[0] == input).ToList();
                Assert.Equal(2, mine.Count);
                Assert.Equal(["302015", "302016"], mine.Select(l => l[1]));
                foreach (var l in mine)
                {
                    Assert.StartsWith("[bridge@32473 protocol=\"udp\" src_if=\"INSIDE\" src=\"192.168.103.1\" src_port=\"33000\" dst_if=\"OUTSIDE\" dst=\"192.168.101.1\" dst_port=\"53\"", l[2]);
                    Assert.Equal("firepower", l[3]);
                    Assert.Equal("bridged", l[4]);
                    Assert.Equal("20", l[5]);
                    Assert.Equal("6", l[6]);
                }
                Assert.StartsWith("%BRIDGE-6-302015: Built inbound UDP connection ", mine[0][7]);
                Assert.StartsWith("%BRIDGE-6-302016: Teardown UDP connection ", mine[1][7]);
                Assert.Matches(@" bytes=""[1-9][0-9]*""", mine[1][2]);
            }
        }
        finally
        {
            await pump.Syslog.DisposeAsync();
        }
    }

    private static async Task<List<string[]>> WaitForLines(string file, int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string[] lines = [];
        while (DateTime.UtcNow < until)
        {
            if (File.Exists(file))
            {
                lines = File.ReadAllLines(file);
                if (lines.Length >= count) break;
            }
            await Task.Delay(100);
        }
        Assert.True(lines.Length >= count, $"rsyslog wrote {lines.Length} line(s):\n{string.Join('\n', lines)}");
        return [.. lines.Select(l => l.Split('\t'))];
    }
}
