using System.Buffers.Binary;

namespace Bridge.Io.Tests;

public sealed class LabTopologyTests
{
    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "lab-topology");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("scripts/lab-topology not found above the test directory");
    }

    [Fact]
    public void Up_tags_host_A_frames_with_vlan_1577_on_the_bridge_side_and_down_leaves_nothing()
    {
        string script = Script();
        string prefix = $"bio{Guid.NewGuid().ToString("N")[..5]}-";
        try
        {
            NetnsLab.Run(script, "up", "--prefix", prefix);
            var status = NetnsLab.Run(script, "status", "--prefix", prefix);
            Assert.Contains($"{prefix}bridge", status);
            Assert.DoesNotContain("absent", status);

            List<byte[]> seen;
            using (var capture = new TcpdumpCapture($"{prefix}bridge", "veth-in", "vlan 1577 and arp"))
            {
                // No bridge runs, so the ping fails; its ARP request is what must reach veth-in tagged.
                try
                {
                    NetnsLab.Run(script, "--prefix", prefix, "exec", "hostA", "ping", "-c", "1", "-W", "1", "192.168.101.1");
                }
                catch (InvalidOperationException)
                {
                    // Expected: nothing answers.
                }
                seen = capture.Stop();
            }

            Assert.NotEmpty(seen);
            var frame = seen[0];
            Assert.Equal(new byte[] { 0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0a }, frame[6..12]);
            Assert.Equal(0x8100, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
            Assert.Equal(1577, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14)) & 0x0fff);
            Assert.Equal(0x0806, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(16)));
        }
        finally
        {
            NetnsLab.Run(script, "down", "--prefix", prefix);
        }

        Assert.DoesNotContain(prefix, NetnsLab.Run("ip", "netns", "list"));
        var root = Path.GetDirectoryName(Path.GetDirectoryName(script))!;
        Assert.False(File.Exists(Path.Combine(root, ".lab", $"{prefix}topology.env")));
        Assert.False(File.Exists(Path.Combine(root, ".lab", $"{prefix}vlan_shim.o")));
        // Idempotent.
        NetnsLab.Run(script, "down", "--prefix", prefix);
    }

    [Fact]
    public void Host_A_receives_untagged_what_arrives_tagged_1577()
    {
        string script = Script();
        string prefix = $"bio{Guid.NewGuid().ToString("N")[..5]}-";
        try
        {
            NetnsLab.Run(script, "up", "--prefix", prefix);
            // Answer host A's ARP from the bridge side with a tagged reply and check that host A
            // learnt it: only possible if the ingress shim popped the tag.
            using var bridgeSide = new RawSocket($"{prefix}bridge", "veth-in");
            var reply = new byte[46];
            byte[] aMac = [0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0a];
            byte[] bMac = [0x02, 0x1a, 0xb0, 0x00, 0x00, 0x0b];
            aMac.CopyTo(reply, 0);
            bMac.CopyTo(reply, 6);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(12), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(14), 1577);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(16), 0x0806);
            byte[] arp = [0, 1, 8, 0, 6, 4, 0, 2];
            arp.CopyTo(reply, 18);
            bMac.CopyTo(reply, 26);
            new byte[] { 192, 168, 101, 1 }.CopyTo(reply, 32);
            aMac.CopyTo(reply, 36);
            new byte[] { 192, 168, 103, 1 }.CopyTo(reply, 42);
            var frame = new byte[60];
            reply.CopyTo(frame, 0);
            // A gratuitous-style reply is only accepted for an entry being resolved: start one.
            NetnsLab.Run(script, "--prefix", prefix, "exec", "hostA", "ip", "neigh", "replace", "192.168.101.1", "dev", "a0", "nud", "incomplete");
            bridgeSide.Send(frame);
            Thread.Sleep(200);
            var neigh = NetnsLab.Run(script, "--prefix", prefix, "exec", "hostA", "ip", "neigh", "show", "192.168.101.1");
            Assert.Contains("02:1a:b0:00:00:0b", neigh);
        }
        finally
        {
            NetnsLab.Run(script, "down", "--prefix", prefix);
        }
    }
}
