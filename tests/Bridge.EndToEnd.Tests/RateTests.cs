namespace Bridge.EndToEnd.Tests;

public sealed class RateTests
{
    private const int Rate = 10_000;
    private const int Seconds = 10;

    [Fact]
    public void Ten_seconds_at_10000_pps_lose_nothing()
    {
        using var lab = LiveLab.Up();
        // Prime the MAC table and the flow in both directions before counting.
        lab.Ping(count: 2).EnsureSuccess();
        string cfg = Path.Combine(Path.GetTempPath(), lab.Prefix + "udp.trafgen");
        File.WriteAllText(cfg, TaggedUdpFrame());
        try
        {
            long txBefore = lab.Counter("hostA", "a0", "tx_packets");
            long rxBefore = lab.Counter("hostB", "b0", "rx_packets");
            long noPortsBefore = UdpNoPorts(lab);

            // trafgen writes the 802.1Q tag itself: it bypasses the qdisc, so the lab's tc tagging shim does not run.
            lab.Exec("hostA", TimeSpan.FromSeconds(Seconds * 3), "trafgen", "-o", "a0", "-i", cfg, "-n", (Rate * Seconds).ToString(),
                "-b", $"{Rate}pps", "-P", "1", "--no-sock-mem", "--notouch-irq").EnsureSuccess();
            Thread.Sleep(500);

            long sent = lab.Counter("hostA", "a0", "tx_packets") - txBefore;
            long onWire = lab.Counter("hostB", "b0", "rx_packets") - rxBefore;
            long delivered = UdpNoPorts(lab) - noPortsBefore;
            Assert.True(sent >= Rate * Seconds, $"trafgen sent only {sent}");
            Assert.True(onWire >= Rate * Seconds, $"{onWire} of {sent} frames reached B's wire");
            Assert.Equal(Rate * Seconds, delivered);
        }
        finally
        {
            File.Delete(cfg);
        }
    }

    // Host B has nothing on UDP port 9, so its kernel counts every test datagram as Udp NoPorts.
    private static long UdpNoPorts(LiveLab lab)
    {
        var lines = lab.Exec("hostB", "cat", "/proc/net/snmp").EnsureSuccess().Stdout.Split('\n');
        var header = Array.Find(lines, l => l.StartsWith("Udp: InDatagrams", StringComparison.Ordinal))!.Split(' ');
        var values = Array.Find(lines, l => l.StartsWith("Udp: ", StringComparison.Ordinal) && char.IsDigit(l[5]))!.Split(' ');
        return long.Parse(values[Array.IndexOf(header, "NoPorts")]);
    }

    /// <summary>64-byte frame A -> B: Ethernet to b0's MAC, 802.1Q 1577, IPv4, UDP 9999 -> 9.</summary>
    private static string TaggedUdpFrame() => """
        {
          0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0b,
          0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0a,
          0x81, 0x00, const16(1577),
          0x08, 0x00,
          0x45, 0x00, const16(46), const16(1), const16(0x4000), 0x40, 0x11, csumip(18, 37),
          192, 168, 103, 1,
          192, 168, 101, 1,
          const16(9999), const16(9), const16(26), const16(0),
          fill(0x42, 18),
        }
        """;
}
