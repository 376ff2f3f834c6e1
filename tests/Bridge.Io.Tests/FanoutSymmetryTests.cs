using System.Buffers.Binary;
using Bridge.Io.AfPacket;
using Bridge.Pipeline.Ports;

namespace Bridge.Io.Tests;

/// <summary>
/// Worker i owns fanout member i of both interfaces, so the kernel's flow hash must put the two
/// directions of a flow on the same member index of each interface.
/// </summary>
public sealed class FanoutSymmetryTests
{
    private const int Flows = 96;

    [Theory]
    [InlineData(RingVersion.V2, false)]
    [InlineData(RingVersion.V3, false)]
    [InlineData(RingVersion.V2, true)]
    public void Member_i_of_each_interface_sees_both_directions_of_the_same_flows(RingVersion ring, bool flapInsideFirst)
    {
        using var lab = new NetnsLab();
        var bridge = lab.AddNamespace("br");
        var inside = lab.AddNamespace("in");
        var outside = lab.AddNamespace("out");
        lab.AddVeth(bridge, "vin", inside, "hin");
        lab.AddVeth(bridge, "vout", outside, "hout");

        AfPacketPort[] inPorts, outPorts;
        using (NetworkNamespace.Enter(bridge))
        {
            var options = new AfPacketOptions { Ring = ring };
            inPorts = AfPacketPort.OpenFanout("vin", 300, 2, options);
            outPorts = AfPacketPort.OpenFanout("vout", 301, 2, options);
        }
        try
        {
            if (flapInsideFirst)
            {
                // Down/up unhooks and re-hooks every member of the group; the member order must survive it.
                lab.Exec(bridge, "ip", "link", "set", "vin", "down");
                lab.Exec(bridge, "ip", "link", "set", "vin", "up");
                Thread.Sleep(100);
                foreach (var p in inPorts)
                    p.Receive(new FlowRecorder(), 0);
            }
            using var inHost = new RawSocket(inside, "hin");
            using var outHost = new RawSocket(outside, "hout");
            for (int f = 0; f < Flows; f++)
            {
                byte protocol = f % 2 == 0 ? (byte)17 : (byte)6;
                uint client = 0xc0a86701u + (uint)(f % 7);
                uint server = 0xc0a86501u + (uint)(f % 5);
                ushort clientPort = (ushort)(40000 + f * 13);
                ushort serverPort = (ushort)(f % 3 == 0 ? 443 : 53 + f);
                inHost.Send(Frames.Ipv4(protocol, client, server, clientPort, serverPort, 20, (byte)f));
                outHost.Send(Frames.Ipv4(protocol, server, client, serverPort, clientPort, 20, (byte)f));
            }

            var inSeen = new FlowRecorder[] { new(), new() };
            var outSeen = new FlowRecorder[] { new(), new() };
            long deadline = Environment.TickCount64 + 3000;
            while (Environment.TickCount64 < deadline && Total(inSeen) + Total(outSeen) < 2 * Flows)
            {
                for (int m = 0; m < 2; m++)
                {
                    inPorts[m].Receive(inSeen[m], 2);
                    outPorts[m].Receive(outSeen[m], 2);
                }
            }

            Assert.Equal(Flows, Total(inSeen));
            Assert.Equal(Flows, Total(outSeen));
            // Both members got work, otherwise the test proves nothing about the pairing.
            Assert.NotEmpty(inSeen[0].Flows);
            Assert.NotEmpty(inSeen[1].Flows);
            for (int m = 0; m < 2; m++)
                Assert.Equal(inSeen[m].Flows.Order(), outSeen[m].Flows.Order());
        }
        finally
        {
            foreach (var p in inPorts)
                p.Dispose();
            foreach (var p in outPorts)
                p.Dispose();
        }
    }

    private static int Total(FlowRecorder[] recorders) => recorders[0].Flows.Count + recorders[1].Flows.Count;

    /// <summary>Records the flow number (the IPv4 identification field) of every test frame.</summary>
    private sealed class FlowRecorder : IRxHandler
    {
        public List<int> Flows { get; } = [];

        public void OnFrame(Span<byte> frame, long timestampNs)
        {
            if (Tests.Frames.IsTestFrame(frame))
                Flows.Add(BinaryPrimitives.ReadUInt16BigEndian(frame[18..]));
        }
    }
}
