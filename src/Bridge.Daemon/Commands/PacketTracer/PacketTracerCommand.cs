using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Packets;
using Bridge.Pipeline.Config;
using G = Bridge.Daemon.Commands.PacketTracer.TracerGrammar;

namespace Bridge.Daemon.Commands.PacketTracer;

/// <summary>
/// <c>packet-tracer</c> (synthetic packets and pcap replays), <c>show packet-tracer [packet-number N]
/// [detailed] | summary</c> and <c>clear packet-tracer</c>. The syntax is in <see cref="TracerGrammar"/>,
/// the dry run in <see cref="TracerEngine"/>, the replay in <see cref="PcapTracer"/>.
/// </summary>
public sealed class PacketTracerCommand : ICommandModule
{
    private static readonly string[] RefusedWords = ["inline-tag", "user", "security-group", "fqdn", "sctp", "decrypted", "bypass-checks", "persist", "transmit"];

    public void Register(GrammarNode root)
    {
        G.Register(root, Trace, Pcap, Refuse);

        var show = CommonWords.Show(root).Keyword("packet-tracer", "Show the traces of the last packet-tracer pcap replay").Runs(Show, Privilege.Monitor);
        show.Keyword("detailed", "Dump more detailed information").Runs(Show, Privilege.Monitor);
        show.Keyword("summary", "Packets per distinct phase path").Runs(Summary, Privilege.Monitor);
        show.Keyword("packet-number", "Show one packet's trace")
            .Param(ParamType.Number(1, PcapTracer.MaxPackets), "number", "Packet number")
            .Runs(Show, Privilege.Monitor)
            .Keyword("detailed", "Dump more detailed information").Runs(Show, Privilege.Monitor);

        CommonWords.Clear(root).Keyword("packet-tracer", "Free the stored packet-tracer traces").Runs(Clear, Privilege.Monitor);
    }

    private static Task<CommandResult> Refuse(CommandContext ctx)
    {
        string word = RefusedWords.FirstOrDefault(ctx.Has) ?? "this option";
        return Task.FromResult(CommandResult.Fail($"ERROR: packet-tracer '{word}' is not supported on this platform"));
    }

    private static async Task<CommandResult> Trace(CommandContext ctx)
    {
        TracerRequest request;
        try
        {
            request = ParseRequest(ctx);
        }
        catch (TracerException e)
        {
            return CommandResult.Fail(e.Message);
        }
        try
        {
            var result = await TracerEngine.TraceAsync(ctx.Runtime, request, ctx.Cancellation).ConfigureAwait(false);
            return TraceOutput.Single(result.Trace, request.Detailed, request.Format, Describe(request, result));
        }
        catch (TracerException e)
        {
            return CommandResult.Fail(e.Message);
        }
    }

    private static async Task<CommandResult> Pcap(CommandContext ctx)
    {
        string name = ctx.Get(G.ValueFile)!;
        string dir = Path.GetDirectoryName(Path.GetFullPath(ctx.Runtime.ConfigPath)) ?? "/";
        string path = Path.IsPathRooted(name) ? name : Path.GetFullPath(Path.Combine(dir, name));
        bool force = ctx.Has("force");
        var store = PacketTraceStore.For(ctx.Runtime);
        if (store.Occupied(force))
        {
            return CommandResult.Fail("ERROR: packet-tracer traces of an earlier pcap are stored; 'clear packet-tracer' or add 'force'");
        }
        var format = ctx.Has("xml") ? TraceFormat.Xml : ctx.Has("json") ? TraceFormat.Json : TraceFormat.Text;
        try
        {
            var snap = ctx.Runtime.Snapshot;
            string ifName = ctx.Get(G.ValueInterface)!;
            bool detailed = ctx.Has("detailed");
            // The sandbox shares nothing with the workers, so the replay runs on a pool thread, not a worker's.
            var inspector = ctx.Runtime.CreateSandboxInspector(Sandbox.DefaultFlowCapacity);
            var set = await Task.Run(() => PcapTracer.Replay(snap, ifName, path, detailed, ctx.Cancellation, inspector), ctx.Cancellation).ConfigureAwait(false);
            if (!store.TryStore(set, force))
            {
                return CommandResult.Fail("ERROR: packet-tracer traces of an earlier pcap are stored; 'clear packet-tracer' or add 'force'");
            }
            return TraceOutput.Replay(set, format);
        }
        catch (TracerException e)
        {
            return CommandResult.Fail(e.Message);
        }
    }

    private static Task<CommandResult> Show(CommandContext ctx) => Task.FromResult(ShowStored(ctx));

    private static CommandResult ShowStored(CommandContext ctx)
    {
        var set = PacketTraceStore.For(ctx.Runtime).Current;
        if (set is null) return CommandResult.Fail("ERROR: no packet-tracer traces are stored (packet-tracer input IFNAME pcap FILE stores them)");
        bool detailed = ctx.Has("detailed") || set.Detailed;
        if (ctx.Get("number") is { } text)
        {
            int n = int.Parse(text, CultureInfo.InvariantCulture);
            if (n > set.Packets.Count)
            {
                return CommandResult.Fail(string.Create(CultureInfo.InvariantCulture, $"ERROR: packet-number {n}: {set.Packets.Count} packets are stored"));
            }
            return TraceOutput.Stored(set, [set.Packets[n - 1]], detailed);
        }
        return TraceOutput.Stored(set, set.Packets, detailed);
    }

    private static CommandResult Summary(CommandContext ctx)
    {
        var set = PacketTraceStore.For(ctx.Runtime).Current;
        if (set is null) return CommandResult.Fail("ERROR: no packet-tracer traces are stored (packet-tracer input IFNAME pcap FILE stores them)");
        return TraceOutput.Summary(set);
    }

    private static CommandResult Clear(CommandContext ctx)
    {
        int n = PacketTraceStore.For(ctx.Runtime).Clear();
        return CommandResult.Ok(string.Create(CultureInfo.InvariantCulture, $"{n} packet trace(s) freed.\n"));
    }

    /// <summary>The grammar has checked each token's form; this turns them into a request and checks what spans tokens.</summary>
    internal static TracerRequest ParseRequest(CommandContext ctx)
    {
        var src = IpAddr.Parse(ctx.Get(G.ValueSource)!);
        var dst = IpAddr.Parse(ctx.Get(G.ValueDestination)!);
        if (src.IsV4 != dst.IsV4) throw new TracerException("ERROR: source and destination addresses must be of the same IP version");
        bool v6 = !src.IsV4;

        string word = ctx.Has("icmp") ? "icmp" : ctx.Has("tcp") ? "tcp" : ctx.Has("udp") ? "udp" : "rawip";
        byte protocol = word switch
        {
            "icmp" => v6 ? IpProtocol.IcmpV6 : IpProtocol.Icmp,
            "tcp" => IpProtocol.Tcp,
            "udp" => IpProtocol.Udp,
            _ => Lookup(ctx.Get(G.ValueRawProtocol)!, t => (AsaNames.TryParseProtocol(t, out byte p), p), "IP protocol"),
        };
        byte icmpType = 0, icmpCode = 0;
        ushort icmpId = 0;
        if (word == "icmp")
        {
            icmpType = Lookup(ctx.Get(G.ValueIcmpType)!, t => (AsaNames.TryParseIcmpType(t, protocol, out byte x), x), v6 ? "ICMPv6 type" : "ICMP type");
            if (ctx.Get(G.ValueIcmpCode) is { } code) icmpCode = byte.Parse(code, CultureInfo.InvariantCulture);
            if (ctx.Get(G.ValueIcmpId) is { } id) icmpId = ushort.Parse(id, CultureInfo.InvariantCulture);
        }
        ushort sport = 0, dport = 0;
        if (protocol is IpProtocol.Tcp or IpProtocol.Udp && word is "tcp" or "udp")
        {
            sport = Lookup(ctx.Get(G.ValueSourcePort)!, t => (AsaNames.TryParsePort(t, protocol, out ushort p), p), "port");
            dport = Lookup(ctx.Get(G.ValueDestinationPort)!, t => (AsaNames.TryParsePort(t, protocol, out ushort p), p), "port");
        }
        else if (word == "rawip" && protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            throw new TracerException($"ERROR: rawip protocol {protocol} has its own keyword: use packet-tracer ... {AsaNames.FormatProtocol(protocol)}");
        }

        MacAddr? dmac = null;
        if (ctx.Get(G.ValueMac) is { } m)
        {
            MacAddr.TryParse(m, out var mac);
            dmac = mac;
        }
        TcpFlags? flags = null;
        if (ctx.Get(G.ValueFlags) is { } f)
        {
            TracerParams.TryParseFlags(f, out var parsed);
            flags = parsed;
        }

        byte[] payload = [];
        bool detailed = ctx.Has("detailed");
        var format = ctx.Has("xml") ? TraceFormat.Xml : ctx.Has("json") ? TraceFormat.Json : TraceFormat.Text;
        if (ctx.Get(G.ValuePayloadHex) is { } hex)
        {
            TracerParams.TryParseHex(hex, out payload);
        }
        else if (ctx.Get(G.ValuePayloadText) is { } text)
        {
            int column = ctx.Line.TrimEnd().Length - text.Length;
            payload = PayloadText.Parse(text, ctx.Line, column, ref detailed, ref format);
        }

        return new TracerRequest
        {
            Interface = ctx.Get(G.ValueInterface)!,
            VlanId = ctx.Get(G.ValueVlan) is { } v ? ushort.Parse(v, CultureInfo.InvariantCulture) : null,
            Protocol = protocol,
            ProtocolWord = word,
            Source = src,
            Destination = dst,
            SourcePort = sport,
            DestinationPort = dport,
            IcmpType = icmpType,
            IcmpCode = icmpCode,
            IcmpId = icmpId,
            DestinationMac = dmac,
            TcpFlags = flags,
            Payload = payload,
            Established = ctx.Has("established"),
            Detailed = detailed,
            Format = format,
        };
    }

    private static T Lookup<T>(string token, Func<string, (bool Ok, T Value)> parse, string what)
    {
        var (ok, value) = parse(token.ToLowerInvariant());
        return ok ? value : throw new TracerException($"ERROR: '{token}' is not a valid {what} here");
    }

    private static JsonObject Describe(TracerRequest r, TraceResult result)
    {
        var o = new JsonObject
        {
            ["interface"] = r.Interface,
            ["protocol"] = r.ProtocolWord,
            ["ipProtocol"] = r.Protocol,
            ["source"] = r.Source.ToString(),
            ["destination"] = r.Destination.ToString(),
            ["frame"] = PacketLine.Describe(result.Frame),
            ["frameHex"] = Convert.ToHexStringLower(result.Frame),
            ["worker"] = result.Worker,
            ["established"] = r.Established,
        };
        if (r.Protocol is IpProtocol.Tcp or IpProtocol.Udp)
        {
            o["sourcePort"] = r.SourcePort;
            o["destinationPort"] = r.DestinationPort;
        }
        if (r.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            o["icmpType"] = r.IcmpType;
            o["icmpCode"] = r.IcmpCode;
            o["icmpId"] = r.IcmpId;
        }
        if (r.VlanId is { } v) o["vlanId"] = v;
        if (r.DestinationMac is { } m) o["destinationMac"] = m.ToCisco();
        if (r.Payload.Length > 0) o["payloadLength"] = r.Payload.Length;
        return o;
    }
}

/// <summary>
/// <c>payload "TEXT" [detailed] [xml|json]</c>: the grammar hands over the rest of the line, since a
/// quoted text may hold spaces. Escapes: <c>\r \n \t \0 \\ \" \xHH</c>. A word without quotes is
/// taken as is. Errors point at the offending column as the grammar's do.
/// </summary>
internal static class PayloadText
{
    public static byte[] Parse(string text, string line, int column, ref bool detailed, ref TraceFormat format)
    {
        var bytes = new List<byte>();
        int i = 0;
        if (text[0] == '"')
        {
            i = 1;
            bool closed = false;
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '"')
                {
                    closed = true;
                    i++;
                    break;
                }
                if (c == '\\' && i + 1 < text.Length)
                {
                    char e = text[i + 1];
                    i += 2;
                    switch (e)
                    {
                        case 'r': bytes.Add((byte)'\r'); break;
                        case 'n': bytes.Add((byte)'\n'); break;
                        case 't': bytes.Add((byte)'\t'); break;
                        case '0': bytes.Add(0); break;
                        case '\\': bytes.Add((byte)'\\'); break;
                        case '"': bytes.Add((byte)'"'); break;
                        case 'x' when i + 1 < text.Length && byte.TryParse(text.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b):
                            bytes.Add(b);
                            i += 2;
                            break;
                        default:
                            throw new TracerException(CommandTree.Marker(line, column + i - 2).TrimEnd('\n'));
                    }
                    continue;
                }
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                i++;
            }
            if (!closed) throw new TracerException(CommandTree.Marker(line, column + text.Length).TrimEnd('\n') + "\n% Unterminated payload text: a closing \" is missing");
            if (i < text.Length && !char.IsWhiteSpace(text[i])) throw new TracerException(CommandTree.Marker(line, column + i).TrimEnd('\n'));
        }
        else
        {
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            bytes.AddRange(Encoding.UTF8.GetBytes(text[..i]));
        }

        // What may follow the payload: [detailed] [xml|json], as after any other option.
        int stage = 0;
        foreach (var t in CommandTree.Tokenize(text[i..]))
        {
            int at = column + i + t.Column;
            string w = t.Text.ToLowerInvariant();
            if (stage == 0 && "detailed".StartsWith(w, StringComparison.Ordinal))
            {
                detailed = true;
                stage = 1;
            }
            else if (stage < 2 && "xml".StartsWith(w, StringComparison.Ordinal))
            {
                format = TraceFormat.Xml;
                stage = 2;
            }
            else if (stage < 2 && "json".StartsWith(w, StringComparison.Ordinal))
            {
                format = TraceFormat.Json;
                stage = 2;
            }
            else
            {
                throw new TracerException(CommandTree.Marker(line, at).TrimEnd('\n'));
            }
        }
        return bytes.ToArray();
    }
}
