using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Capture;
using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Capture;

/// <summary>
/// <c>show capture</c> lists every capture with its status; <c>show capture NAME [access-list ACL]
/// [count N] [decode] [detail] [dump] [packet-number N] [trace [detail]]</c> prints its packets
/// (ftd-reference §2, §3), traces rendered by the pipeline's trace renderer.
/// </summary>
public sealed class ShowCaptureCommand : ICommandModule
{
    private static readonly string[] Options = ["access-list", "count", "decode", "detail", "dump", "packet-number", "trace"];

    public void Register(GrammarNode root)
    {
        var capture = CommonWords.Show(root).Keyword("capture", "Display capture information").Runs(List, Privilege.Monitor);
        capture.Param(ParamType.Word, "name", "Capture name").Runs(Packets, Privilege.Monitor)
            .Param(ParamType.Line, "options", "[access-list ACL] [count N] [detail] [dump] [packet-number N] [trace [detail]]").Runs(Packets, Privilege.Monitor);
    }

    private static async Task<CommandResult> List(CommandContext ctx)
    {
        var registry = CaptureStore.For(ctx.Runtime);
        var onEach = CaptureStore.OnEachWorker(ctx);
        var text = new StringBuilder();
        var json = new JsonArray();
        foreach (var def in registry.Definitions)
        {
            var contents = await registry.ReadAsync(def.Name, onEach).ConfigureAwait(false);
            if (contents is null) continue;
            text.Append(CaptureListing.ListEntry(contents));
            json.Add(new JsonObject
            {
                ["name"] = def.Name,
                ["type"] = def.Type switch { CaptureType.AspDrop => "asp-drop", CaptureType.Alert => "alert", _ => "raw-data" },
                ["interface"] = def.Interface,
                ["bytes"] = contents.Bytes,
                ["packets"] = contents.Packets.Count,
                ["status"] = def.Stopped ? "stopped" : contents.Full ? "full" : "capturing",
                ["matches"] = new JsonArray([.. def.Matches.Select(m => JsonValue.Create(m.ToString()))]),
            });
        }
        return CommandResult.Ok(text.ToString(), new JsonObject { ["captures"] = json });
    }

    private static async Task<CommandResult> Packets(CommandContext ctx)
    {
        var registry = CaptureStore.For(ctx.Runtime);
        string name = ctx.Get("name")!;
        if (registry.Find(name) is null) return CommandResult.Fail(CaptureStore.NoSuchCapture(name));
        ShowCaptureOptions options;
        try
        {
            options = ReadOptions(ctx, CaptureStore.Arguments(ctx, 3));
        }
        catch (CaptureSyntaxException e)
        {
            return CaptureStore.Failure(ctx, e);
        }
        var contents = await registry.ReadAsync(name, CaptureStore.OnEachWorker(ctx)).ConfigureAwait(false);
        if (contents is null) return CommandResult.Fail(CaptureStore.NoSuchCapture(name));
        var json = new JsonObject
        {
            ["name"] = name,
            ["packets"] = new JsonArray([.. contents.Packets.Select((p, i) => (JsonNode)new JsonObject
            {
                ["number"] = i + 1,
                ["timeNs"] = p.TimeNs,
                ["length"] = p.OriginalLength,
                ["stored"] = p.Frame.Length,
                ["direction"] = p.Direction.ToString().ToLowerInvariant(),
                ["text"] = AsaPacketFormat.Describe(p, detail: false),
            })]),
        };
        return CommandResult.Ok(CaptureListing.Packets(contents, options), json);
    }

    private static ShowCaptureOptions ReadOptions(CommandContext ctx, List<ArgToken> args)
    {
        var o = new ShowCaptureOptions();
        for (int i = 0; i < args.Count; i++)
        {
            var t = args[i];
            string word = Keyword(t, Options);
            switch (word)
            {
                case "access-list":
                    {
                        var acl = Value(args, ++i);
                        if (ctx.Runtime.Snapshot.Config.FindAccessList(acl.Text) is null) throw new CaptureSyntaxException(CommandTree.InvalidInput, acl.Column);
                        o = o with { Filter = ActiveCapture.AccessListFilter(ctx.Runtime.Snapshot, acl.Text) };
                        break;
                    }
                case "count":
                    o = o with { Count = Number(Value(args, ++i)) };
                    break;
                case "packet-number":
                    o = o with { PacketNumber = Number(Value(args, ++i)) };
                    break;
                case "detail":
                    o = o with { Detail = true };
                    break;
                case "dump":
                    o = o with { Dump = true };
                    break;
                case "decode":
                    // Decodes IKE payloads of isakmp captures, which a bridge never has.
                    break;
                case "trace":
                    o = o with { Trace = true };
                    if (i + 1 < args.Count && "detail".StartsWith(args[i + 1].Text, StringComparison.OrdinalIgnoreCase))
                    {
                        i++;
                        o = o with { TraceDetail = true };
                    }
                    break;
            }
        }
        return o;
    }

    private static string Keyword(ArgToken t, string[] words)
    {
        string? found = null;
        foreach (var w in words)
        {
            if (string.Equals(w, t.Text, StringComparison.OrdinalIgnoreCase)) return w;
            if (w.StartsWith(t.Text, StringComparison.OrdinalIgnoreCase))
            {
                if (found is not null) throw new CaptureSyntaxException($"% Ambiguous command:  \"{t.Text}\"");
                found = w;
            }
        }
        return found ?? throw new CaptureSyntaxException(CommandTree.InvalidInput, t.Column);
    }

    private static ArgToken Value(List<ArgToken> args, int i) =>
        i < args.Count ? args[i] : throw new CaptureSyntaxException(CommandTree.IncompleteCommand) { Incomplete = true };

    private static long Number(ArgToken t) =>
        long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v <= uint.MaxValue
            ? v
            : throw new CaptureSyntaxException(CommandTree.InvalidInput, t.Column);
}
