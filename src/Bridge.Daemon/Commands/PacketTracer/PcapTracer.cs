using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Bridge.Daemon.Runtime;
using Bridge.Packets;
using Bridge.Packets.Pcap;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.Trace;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>One packet of a pcap replay: where it entered and its trace.</summary>
public sealed record TracedPacket(int Number, long TimestampNs, string Ingress, string Summary, TraceSink Trace);

/// <summary>The stored outcome of <c>packet-tracer input IFNAME pcap FILE</c>.</summary>
public sealed record PcapTraceSet(string File, string Interface, IReadOnlyList<TracedPacket> Packets, bool Truncated, bool Detailed);

/// <summary>
/// Replays a pcap through a sandbox (issue 6 §5): a fresh <see cref="DataPath"/> over the running
/// snapshot, with its own flow table and MAC table, so connections, TCP state and learned MACs build
/// up as the file goes while the live workers never see a packet. The first packet enters on the
/// named interface; later ones enter where their source MAC was learned, and a packet towards a MAC
/// learned on some interface comes from a peer of that interface (the other side of the
/// conversation). Each frame is re-tagged for the interface it enters on.
/// </summary>
public static class PcapTracer
{
    /// <summary>Traces kept per replay: each costs a few kilobytes, and a replay must not exhaust the daemon.</summary>
    public const int MaxPackets = 20_000;

    private const uint EthernetLinkType = 1;

    public static PcapTraceSet Replay(RuntimeSnapshot snapshot, string ifName, string path, bool detailed, CancellationToken cancellation,
        IExternalInspector? inspector = null)
    {
        int first = snapshot.FindNameIf(ifName);
        if (first < 0) throw new TracerException($"ERROR: interface {ifName} does not exist");
        var sandbox = Sandbox.Create(snapshot, liveMacs: null, nowNs: 0);
        // The sandbox's own engine: flowbits and thresholds build up as the pcap goes, live state untouched.
        sandbox.Inspector = inspector;
        var packets = new List<TracedPacket>();
        bool truncated = false;
        // ReadAll loads the file whole: a format error surfaces here, before any packet is traced.
        List<PcapRecord> records;
        try
        {
            records = PcapReader.ReadAll(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PcapFormatException)
        {
            throw new TracerException($"ERROR: cannot read pcap file {path}: {e.Message}");
        }

        int n = 0;
        foreach (var r in records)
        {
            if (r.LinkType != EthernetLinkType) throw new TracerException($"ERROR: {path}: link type {r.LinkType} is not Ethernet");
            cancellation.ThrowIfCancellationRequested();
            if (packets.Count == MaxPackets)
            {
                truncated = true;
                break;
            }
            n++;
            byte[] original = r.Data.ToArray();
            string summary = PacketLine.Describe(original);
            var info = new FrameInfo();
            bool decoded = FrameDecoder.Decode(original, ref info) == DropReason.None;
            int ingress = decoded ? IngressFor(snapshot, sandbox, info, first, r.TimestampNanoseconds) : first;
            var li = snapshot.Interfaces[ingress];
            byte[] frame = decoded ? Retag(original, info, li.Vlan) : original;

            var before = new FrameInfo();
            FrameDecoder.Decode(frame, ref before);
            int macIf = sandbox.Macs.Lookup(before.Dst, r.TimestampNanoseconds);
            var sink = new TraceSink { InputInterface = li.NameIf };
            sandbox.Process(frame, li.PhysPort, r.TimestampNanoseconds, sink);
            var facts = new TraceFacts
            {
                Snapshot = snapshot,
                Info = before,
                IngressIf = snapshot.Classify(li.PhysPort, before.VlanCount > 0 ? before.OuterVlan : (ushort)0),
                Hits = (long[])sandbox.AclHits.Clone(),
                DestinationMacIf = macIf,
                NowNs = r.TimestampNanoseconds,
            };
            packets.Add(new TracedPacket(n, r.TimestampNanoseconds, li.NameIf, summary, TraceDetail.Enrich(sink, facts)));
        }
        if (packets.Count == 0) throw new TracerException($"ERROR: pcap file {path} has no packets");
        return new PcapTraceSet(path, ifName, packets, truncated, detailed);
    }

    private static int IngressFor(RuntimeSnapshot snapshot, DataPath sandbox, in FrameInfo info, int first, long now)
    {
        int src = sandbox.Macs.Lookup(info.Src, now);
        if (src >= 0) return src;
        int dst = info.Dst.IsGroup ? -1 : sandbox.Macs.Lookup(info.Dst, now);
        if (dst >= 0)
        {
            var peers = snapshot.Peers(dst);
            if (peers.Length > 0) return peers[0];
        }
        return first;
    }

    /// <summary>The frame with its outer 802.1Q/802.1ad tag replaced by <paramref name="vlan"/> (0 = untagged).</summary>
    internal static byte[] Retag(byte[] frame, in FrameInfo info, ushort vlan)
    {
        ReadOnlySpan<byte> untagged = frame;
        byte[] bare;
        if (info.VlanCount > 0)
        {
            bare = new byte[frame.Length - 4];
            frame.AsSpan(0, 12).CopyTo(bare);
            frame.AsSpan(16).CopyTo(bare.AsSpan(12));
        }
        else
        {
            bare = frame;
        }
        if (vlan == 0) return bare;
        var tagged = new byte[bare.Length + 4];
        bare.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), EtherTypes.Vlan);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), vlan);
        bare.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }
}

/// <summary>
/// The traces of the last pcap replay, per runtime (one daemon has one; tests build several).
/// Kept until <c>clear packet-tracer</c> or a replay with <c>force</c>.
/// </summary>
public sealed class PacketTraceStore
{
    private static readonly ConditionalWeakTable<IBridgeRuntime, PacketTraceStore> Stores = new();
    private readonly Lock _gate = new();
    private PcapTraceSet? _current;

    public static PacketTraceStore For(IBridgeRuntime runtime) => Stores.GetValue(runtime, _ => new PacketTraceStore());

    public PcapTraceSet? Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    /// <summary>Stores <paramref name="set"/> unless traces are stored and <paramref name="force"/> is false.</summary>
    public bool TryStore(PcapTraceSet set, bool force)
    {
        lock (_gate)
        {
            if (_current is not null && !force) return false;
            _current = set;
            return true;
        }
    }

    /// <summary>True when traces are stored and <paramref name="force"/> is false: a replay would be refused.</summary>
    public bool Occupied(bool force)
    {
        lock (_gate) return _current is not null && !force;
    }

    public int Clear()
    {
        lock (_gate)
        {
            int n = _current?.Packets.Count ?? 0;
            _current = null;
            return n;
        }
    }
}

/// <summary>One-line packet descriptions in the style of <c>show capture</c> (tcpdump-like).</summary>
public static class PacketLine
{
    public static string Describe(byte[] frame)
    {
        var i = new FrameInfo();
        var drop = FrameDecoder.Decode(frame, ref i);
        var sb = new StringBuilder();
        if (i.VlanCount > 0) sb.Append(CultureInfo.InvariantCulture, $"802.1Q vlan#{i.OuterVlan} P{i.OuterPcp} ");
        if (drop != DropReason.None && !i.IsIp)
        {
            return sb.Append(CultureInfo.InvariantCulture, $"{i.Src.ToCisco()} {i.Dst.ToCisco()} 0x{i.EtherType:x4} Length: {frame.Length} (malformed: {DropCatalogue.Keyword(drop)})").ToString();
        }
        if (i.IsArp)
        {
            return sb.Append(CultureInfo.InvariantCulture, $"arp {(i.ArpOp == 1 ? "who-has" : "reply")} {i.ArpTargetIp} tell {i.ArpSenderIp}").ToString();
        }
        if (!i.IsIp)
        {
            return sb.Append(CultureInfo.InvariantCulture, $"{i.Src.ToCisco()} {i.Dst.ToCisco()} 0x{i.EtherType:x4} Length: {frame.Length}").ToString();
        }
        if (i.IsTcp)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{i.SrcIp}.{i.SrcPort} > {i.DstIp}.{i.DstPort}: {TcpFlagLetters(i.TcpFlags)} {i.TcpSeq}:{i.TcpSeq + (uint)Math.Max(0, i.PayloadLength)}({Math.Max(0, i.PayloadLength)})");
            if ((i.TcpFlags & TcpFlags.Ack) != 0) sb.Append(CultureInfo.InvariantCulture, $" ack {i.TcpAck}");
            return sb.Append(CultureInfo.InvariantCulture, $" win {i.TcpWindow}").ToString();
        }
        if (i.IsUdp) return sb.Append(CultureInfo.InvariantCulture, $"{i.SrcIp}.{i.SrcPort} > {i.DstIp}.{i.DstPort}:  udp {Math.Max(0, i.PayloadLength)}").ToString();
        if (i.IsIcmp)
        {
            string what = (i.Protocol, i.IcmpType) switch
            {
                (IpProtocol.Icmp, 8) or (IpProtocol.IcmpV6, 128) => "echo request",
                (IpProtocol.Icmp, 0) or (IpProtocol.IcmpV6, 129) => "echo reply",
                _ => string.Create(CultureInfo.InvariantCulture, $"type {i.IcmpType} code {i.IcmpCode}"),
            };
            return sb.Append(CultureInfo.InvariantCulture, $"{i.SrcIp} > {i.DstIp}: {(i.Protocol == IpProtocol.IcmpV6 ? "icmp6" : "icmp")}: {what}").ToString();
        }
        return sb.Append(CultureInfo.InvariantCulture, $"{i.SrcIp} > {i.DstIp}: ip-proto-{i.Protocol} {Math.Max(0, i.PayloadLength)}").ToString();
    }

    private static string TcpFlagLetters(TcpFlags f)
    {
        var sb = new StringBuilder();
        if ((f & TcpFlags.Syn) != 0) sb.Append('S');
        if ((f & TcpFlags.Fin) != 0) sb.Append('F');
        if ((f & TcpFlags.Rst) != 0) sb.Append('R');
        if ((f & TcpFlags.Psh) != 0) sb.Append('P');
        if ((f & TcpFlags.Urg) != 0) sb.Append('U');
        if ((f & TcpFlags.Ack) != 0 && sb.Length == 0) sb.Append('.');
        return sb.ToString();
    }
}
