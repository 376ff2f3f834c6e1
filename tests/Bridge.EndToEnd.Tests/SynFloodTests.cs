using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.EndToEnd.Tests;

/// <summary>
/// A SYN flood from changing sources against embryonic-conn-max: the table holds at most the limit
/// of half-open connections, the rest is counted as tcp-conn-limit, and an established TCP
/// transfer keeps its throughput.
/// </summary>
public sealed class SynFloodTests
{
    private const int Limit = 200;
    private const int FloodPps = 20_000;
    private const int TransferBytes = 160 << 20;
    private const double PacedSeconds = 20;

    [Fact]
    public void A_syn_flood_fills_at_most_the_embryonic_limit_and_a_transfer_keeps_its_throughput()
    {
        string config = LabConfigs.Seed + $"""

            policy-map global_policy
             class class-default
              set connection embryonic-conn-max {Limit}
            service-policy global_policy global

            """;
        using var lab = LiveLab.Up(config: config);
        lab.Ping(count: 2).EnsureSuccess();

        string cfg = Path.Combine(Path.GetTempPath(), lab.Prefix + "syn.trafgen");
        File.WriteAllText(cfg, SynFrame());
        Process? flood = null;
        try
        {
            // An established transfer paced at 8 MiB/s for 20 s. The flood starts a third of the way
            // in, when the connection is long up (a new connection is refused like the flood's while
            // the limit is full); the pace must hold: the source's own connect-to-close time stays
            // within 15 % of its schedule.
            var (sent, received, seconds) = TcpTransferTests.TimedTransfer(lab, TransferBytes, seconds: PacedSeconds, midway: () =>
            {
                // trafgen writes the 802.1Q tag itself (it bypasses the qdisc the lab tags with); its
                // progress output goes nowhere, as an unread pipe would stop it once full.
                flood = lab.Start("hostA", "sh", "-c",
                    $"exec trafgen -o a0 -i {cfg} -n {FloodPps * 60} -b {FloodPps}pps -P 1 --no-sock-mem --notouch-irq >/dev/null 2>&1");
            });
            Assert.Equal(sent, received);
            Assert.False(flood!.HasExited, "the flood ended before the transfer");

            string policy = lab.Cli("show service-policy").EnsureSuccess().Stdout;
            long embryonic = Embryonic(lab);
            long refused = LabConfigs.AspDrop(lab.Cli("show asp drop").EnsureSuccess().Stdout, "tcp-conn-limit");
            long conns = long.Parse(Regex.Match(lab.Cli("show conn count").EnsureSuccess().Stdout, @"^(\d+) in use").Groups[1].Value, CultureInfo.InvariantCulture);
            Console.WriteLine($"SYN flood {FloodPps} pps during a {TransferBytes >> 20} MiB transfer paced over {PacedSeconds} s: it took {seconds:F2} s; " +
                $"embryonic {embryonic} of {Limit}, connections {conns}, tcp-conn-limit drops {refused}\n{policy}");

            Assert.InRange(embryonic, 1, Limit);
            Assert.True(conns <= Limit + 2, $"{conns} connections with embryonic-conn-max {Limit}");
            Assert.True(refused > 10 * Limit, $"only {refused} SYNs refused as tcp-conn-limit");
            Assert.True(seconds <= PacedSeconds * 1.15, $"the paced transfer took {seconds:F2} s under the flood (schedule: {PacedSeconds} s)");
        }
        finally
        {
            if (flood is { HasExited: false }) flood.Kill(entireProcessTree: true);
            flood?.Dispose();
            File.Delete(cfg);
        }
        lab.Ping(count: 2).EnsureSuccess();
    }

    private static long Embryonic(LiveLab lab)
    {
        var m = Regex.Match(lab.Cli("show service-policy").Stdout, @"current embryonic conns (\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>
    /// A -> B TCP SYN to port 5002, 802.1Q 1577, from 192.168.103.2-254 (cycling) and a random
    /// source port and sequence number; trafgen recomputes both checksums per packet. None of the
    /// sources exists, so B's answers never leave it (no ARP reply) and the connections stay half-open.
    /// </summary>
    private static string SynFrame() => """
        {
          0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0b,
          0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0a,
          0x81, 0x00, const16(1577),
          0x08, 0x00,
          0x45, 0x00, const16(40), const16(1), const16(0x4000), 0x40, 0x06, csumip(18, 37),
          192, 168, 103, dinc(2, 254),
          192, 168, 101, 1,
          drnd(2), const16(5002), drnd(4), const32(0), 0x50, 0x02, const16(64240), csumtcp(18, 38), const16(0),
        }
        """;
}
