using System.Diagnostics;
using System.Globalization;
using Bridge.Packets;

namespace Bridge.Capture.Tests;

public sealed class DecodeAndPcapTests
{
    private static CapturedPacket Packet(byte[] frame, int? original = null) =>
        new(CaptureBed.T0, 0, 0, frame, original ?? frame.Length, CaptureDirection.Ingress, DropReason.None, DropSection.Frame, null);

    private static readonly IpAddr A = IpAddr.Parse("172.16.230.24");
    private static readonly IpAddr B = IpAddr.Parse("1.2.3.4");

    [Fact]
    public void Tcp_syn_prints_flag_sequence_window_and_options_as_asa_does()
    {
        byte[] options = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x14, 0xda, 0x2b, 0xdd, 0, 0, 0, 0, 1, 3, 3, 7];
        var syn = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Ipv4(A, B, dontFragment: true, id: 46367)
            .Tcp(33730, 8955, TcpFlags.Syn, 2198057225, 0, 29200, options: options).Build();
        Assert.Equal("172.16.230.24.33730 > 1.2.3.4.8955: S 2198057225:2198057225(0) win 29200 <mss 1460,sackOK,timestamp 349842397 0,nop,wscale 7>", AsaPacketFormat.Describe(Packet(syn), false));
        string detail = AsaPacketFormat.Describe(Packet(syn), true);
        Assert.Equal("000c.2998.3fec 6c41.6aa1.2bf6 0x0800 Length: 74\n      172.16.230.24.33730 > 1.2.3.4.8955: S 2198057225:2198057225(0) win 29200 <mss 1460,sackOK,timestamp 349842397 0,nop,wscale 7> (DF) (ttl 64, id 46367)", detail);

        var synAck = FrameBuilder.Ethernet(CaptureBed.MacB, CaptureBed.MacA).Ipv4(B, A).Tcp(8955, 33730, TcpFlags.Syn | TcpFlags.Ack, 100, 2198057226, 8192).Build();
        Assert.EndsWith(": S 100:100(0) ack 2198057226 win 8192", AsaPacketFormat.Describe(Packet(synAck), false));
        var data = FrameBuilder.Ethernet(CaptureBed.MacB, CaptureBed.MacA).Ipv4(B, A).Tcp(8955, 33730, TcpFlags.Psh | TcpFlags.Ack, 101, 5, 8192, new byte[10]).Build();
        Assert.EndsWith(": P 101:111(10) ack 5 win 8192", AsaPacketFormat.Describe(Packet(data), false));
        var fin = FrameBuilder.Ethernet(CaptureBed.MacB, CaptureBed.MacA).Ipv4(B, A).Tcp(8955, 33730, TcpFlags.Fin | TcpFlags.Ack, 111, 5, 8192).Build();
        Assert.EndsWith(": F 111:111(0) ack 5 win 8192", AsaPacketFormat.Describe(Packet(fin), false));
    }

    [Fact]
    public void Udp_arp_ipv6_and_other_protocols()
    {
        var udp = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Vlan(12, pcp: 5).Ipv4(A, B).Udp(5353, 53, new byte[45]).Build();
        Assert.Equal("802.1Q vlan#12 P5 172.16.230.24.5353 > 1.2.3.4.53: udp 45", AsaPacketFormat.Describe(Packet(udp), false));
        var reply = FrameBuilder.Ethernet(CaptureBed.MacB, CaptureBed.MacA).Arp(2, CaptureBed.MacB, B, CaptureBed.MacA, A).Build();
        Assert.Equal("arp reply 1.2.3.4 is-at 6c41.6aa1.2bf6", AsaPacketFormat.Describe(Packet(reply), false));
        var v6a = IpAddr.Parse("2001:db8::1");
        var v6b = IpAddr.Parse("2001:db8::2");
        var echo6 = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Ipv6(v6a, v6b, 255).Icmp(128, 0, [0, 1, 0, 1]).Build();
        Assert.Equal("2001:db8::1 > 2001:db8::2: icmp6: echo request", AsaPacketFormat.Describe(Packet(echo6), false));
        Assert.EndsWith(" (hlim 255)", AsaPacketFormat.Describe(Packet(echo6), true));
        var tcp6 = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Ipv6(v6a, v6b).Tcp(1000, 443, TcpFlags.Ack, 1, 2, 100).Build();
        Assert.Equal("2001:db8::1.1000 > 2001:db8::2.443: . ack 2 win 100", AsaPacketFormat.Describe(Packet(tcp6), false));
        var gre = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Ipv4(A, B).IpProtocol(47).Payload(new byte[24]).Build();
        Assert.Equal("172.16.230.24 > 1.2.3.4: ip-proto-47 24", AsaPacketFormat.Describe(Packet(gre), false));
        var unreachable = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Ipv4(A, B).Icmp(3, 3, new byte[32]).Build();
        Assert.Equal("172.16.230.24 > 1.2.3.4: icmp: port unreachable", AsaPacketFormat.Describe(Packet(unreachable), false));
    }

    [Fact]
    public void Dump_starts_at_the_ip_header_sixteen_bytes_a_row()
    {
        var ping = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Vlan(1577).Ipv4(CaptureBed.IpA, CaptureBed.IpB, ttl: 128).IcmpEcho(true, 5, 0, 32).Build();
        var rows = AsaPacketFormat.Dump(Packet(ping)).TrimEnd('\n').Split('\n');
        Assert.Equal(4, rows.Length);
        Assert.StartsWith("0x0000\t 4500 003c 0000 0000 8001 ", rows[0]);
        Assert.Equal("0x0000\t 4500 003c 0000 0000 8001 ed6d c0a8 6701 \tE..<.......m..g.", rows[0]);
        Assert.StartsWith("0x0030\t ", rows[3]);
    }

    [Fact]
    public void Pcap_of_a_capture_reads_back_byte_for_byte_in_tcpdump_and_tshark()
    {
        var bed = new CaptureBed();
        bed.Capture("P interface INSIDE packet-length 70");
        for (ushort seq = 0; seq < 3; seq++) bed.Ping(seq, payload: seq * 40);
        var contents = bed.Read("P");
        Assert.Equal(6, contents.Packets.Count);
        string dir = Directory.CreateTempSubdirectory("bridge-capture-").FullName;
        try
        {
            string file = Path.Combine(dir, "P.pcap");
            CapturePcap.Write(contents, file);

            var dumped = ParseTcpdumpHex(Run("tcpdump", $"-r {file} -nn -xx"));
            Assert.Equal(contents.Packets.Select(p => Convert.ToHexString(p.Frame)), dumped);

            var fields = Run("tshark", $"-r {file} -T fields -e frame.cap_len -e frame.len -e vlan.id -e frame.time_epoch").Trim().Split('\n');
            Assert.Equal(6, fields.Length);
            for (int i = 0; i < 6; i++)
            {
                var f = fields[i].Split('\t');
                var p = contents.Packets[i];
                Assert.Equal(p.Frame.Length.ToString(CultureInfo.InvariantCulture), f[0]);
                Assert.Equal(p.OriginalLength.ToString(CultureInfo.InvariantCulture), f[1]);
                Assert.Equal("1577", f[2]);
                Assert.Equal(p.TimeNs / 1000, (long)Math.Round(decimal.Parse(f[3], CultureInfo.InvariantCulture) * 1_000_000m));
            }
            Assert.Contains(fields, l => l.StartsWith("70\t126\t", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static List<string> ParseTcpdumpHex(string text)
    {
        var frames = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (!char.IsWhiteSpace(line[0]))
            {
                frames.Add("");
                continue;
            }
            int colon = line.IndexOf(':');
            string hex = line[(colon + 1)..].Trim();
            int ascii = hex.IndexOf("  ", StringComparison.Ordinal);
            if (ascii >= 0) hex = hex[..ascii];
            frames[^1] += hex.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        }
        return frames;
    }

    private static string Run(string tool, string args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {args} failed: {error}");
        Assert.DoesNotContain("error", error, StringComparison.OrdinalIgnoreCase);
        return output;
    }
}
