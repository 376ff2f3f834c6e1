using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Bridge.Capture;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Export;

namespace Bridge.Daemon.Commands.Copy;

/// <summary>
/// <c>copy [/noconfirm] [/pcap] capture:NAME URL</c> (ftd-reference §8): sends a capture to a
/// TFTP, FTP or SCP server or into the capture directory (<c>disk:</c>). Unless
/// <c>/noconfirm</c>, FTD's dialog confirms each part of the destination, the answer "" keeping
/// the default in brackets. Without <c>/pcap</c> the <c>show capture NAME</c> text is copied.
/// Passwords never leave the command: prompts and messages show <c>****</c>.
/// </summary>
public sealed class CopyCommand : ICommandModule
{
    /// <summary>Private key (OpenSSH format) in the state directory used for SCP when no password is given.</summary>
    public const string IdentityFileName = "ssh_identity";

    public void Register(GrammarNode root) =>
        root.Keyword("copy", "Copy from one file to another")
            .Param(ParamType.Line, "arguments", "[/noconfirm] [/pcap] capture:NAME tftp:|ftp:|scp:|disk:URL")
            .Runs(RunAsync, Privilege.Admin);

    /// <summary>The parts of a <c>copy</c> line.</summary>
    public sealed record CopyRequest(bool NoConfirm, bool Pcap, string Capture, ExportUrl Destination);

    /// <summary>Reads the words after <c>copy</c>; errors point at the word (by index) that is wrong.</summary>
    public static CopyRequest ParseArguments(IReadOnlyList<string> words, out int badWord, out string? error)
    {
        bool noConfirm = false, pcap = false;
        string? capture = null;
        ExportUrl? destination = null;
        badWord = -1;
        error = null;
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i];
            if (capture is null && w.Equals("/noconfirm", StringComparison.OrdinalIgnoreCase)) noConfirm = true;
            else if (capture is null && w.Equals("/pcap", StringComparison.OrdinalIgnoreCase)) pcap = true;
            else if (capture is null && w.StartsWith("capture:", StringComparison.OrdinalIgnoreCase) && w.Length > "capture:".Length) capture = w["capture:".Length..];
            else if (capture is not null && destination is null)
            {
                try
                {
                    destination = ExportUrl.Parse(w);
                }
                catch (ExportUrlException e)
                {
                    error = e.Message;
                    badWord = i;
                    return null!;
                }
            }
            else
            {
                badWord = i;
                return null!;
            }
        }
        if (capture is null || destination is null)
        {
            error = CommandTree.IncompleteCommand;
            return null!;
        }
        return new CopyRequest(noConfirm, pcap, capture, destination);
    }

    private static async Task<CommandResult> RunAsync(CommandContext ctx)
    {
        // The typed line may hold a password: every echo of it is of the redacted form.
        string shown = ExportUrl.Redact(ctx.Line);
        var words = CommandTree.Tokenize(ctx.Line).Skip(1).Select(t => t.Text).ToList();
        var request = ParseArguments(words, out int badWord, out string? error);
        if (request is null)
        {
            if (error is not null) return CommandResult.Fail(error);
            return CommandResult.Fail(CommandTree.Marker(shown, CommandTree.Tokenize(shown)[badWord + 1].Column));
        }

        var dialog = new CopyDialog(ctx, request);
        var target = await dialog.RunAsync().ConfigureAwait(false);
        if (target.Error is not null) return CommandResult.Fail(target.Error);
        var url = target.Url!;

        var registry = CaptureStore.For(ctx.Runtime);
        if (registry.Find(target.Capture) is null) return CommandResult.Fail(CaptureStore.NoSuchCapture(target.Capture));
        var contents = await registry.ReadAsync(target.Capture, CaptureStore.OnEachWorker(ctx)).ConfigureAwait(false);
        if (contents is null) return CommandResult.Fail(CaptureStore.NoSuchCapture(target.Capture));

        using var body = new MemoryStream();
        if (request.Pcap)
        {
            CapturePcap.Write(contents, body);
        }
        else
        {
            byte[] text = Encoding.UTF8.GetBytes(CaptureListing.Packets(contents, new ShowCaptureOptions()));
            body.Write(text);
        }
        body.Position = 0;

        var progress = new TransferProgress(ctx.Stream);
        var clock = Stopwatch.StartNew();
        var transfer = SendAsync(ctx, url, body, progress);
        await progress.RunAsync(transfer).ConfigureAwait(false);
        string lead = progress.MarksShown > 0 ? "\n" : "";
        try
        {
            await transfer.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.Cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is TftpException or FtpException or ScpException or ExportUrlException or SocketException or IOException or OperationCanceledException or UnauthorizedAccessException)
        {
            string reason = e is OperationCanceledException ? "Timed out" : ExportUrl.Scrub(e is IOException ? IoErrors.Reason(e) : e.Message, url.Password);
            string text = e is ScpException && reason.Contains('\n', StringComparison.Ordinal)
                ? reason
                : $"%Error writing {url} ({reason})";
            ExportCounters.Record(url.Scheme.ToString().ToLowerInvariant(), ok: false, 0);
            return CommandResult.Fail(lead + text);
        }
        clock.Stop();
        ExportCounters.Record(url.Scheme.ToString().ToLowerInvariant(), ok: true, body.Length);

        int packets = contents.Packets.Count;
        double seconds = clock.Elapsed.TotalSeconds;
        var line = new StringBuilder(lead)
            .Append(packets.ToString(CultureInfo.InvariantCulture)).Append(packets == 1 ? " packet" : " packets")
            .Append(" copied in ").Append(seconds.ToString("0.000", CultureInfo.InvariantCulture)).Append(" secs");
        // FTD's rate divides by whole seconds and is left out under one second.
        long whole = (long)seconds;
        if (whole >= 1) line.Append(" (").Append((packets / whole).ToString(CultureInfo.InvariantCulture)).Append(" packets/sec)");
        line.Append('\n');
        return CommandResult.Ok(line.ToString(), new JsonObject
        {
            ["capture"] = target.Capture,
            ["destination"] = url.ToString(),
            ["format"] = request.Pcap ? "pcap" : "text",
            ["packets"] = packets,
            ["bytes"] = body.Length,
            ["seconds"] = Math.Round(seconds, 3),
        });
    }

    private static async Task SendAsync(CommandContext ctx, ExportUrl url, Stream body, TransferProgress progress)
    {
        // File modes of the capture directory and known-hosts file are Unix ones.
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
        var ct = ctx.Cancellation;
        switch (url.Scheme)
        {
            case ExportScheme.Disk:
                {
                    string dir = ctx.State.Paths.EnsureCaptureDirectory();
                    await DiskTarget.WriteAsync(DiskTarget.Resolve(dir, url.Path), body, progress, ct).ConfigureAwait(false);
                    break;
                }
            case ExportScheme.Tftp:
                await new TftpClient().WriteAsync(await ResolveAsync(url, ct).ConfigureAwait(false), url.Path, body, progress, ct).ConfigureAwait(false);
                break;
            case ExportScheme.Ftp:
                {
                    var server = await ResolveAsync(url, ct).ConfigureAwait(false);
                    await using var ftp = await FtpClient.ConnectAsync(server, TimeSpan.FromSeconds(20), ct).ConfigureAwait(false);
                    await ftp.LoginAsync(url.User ?? "anonymous", url.Password ?? "", ct).ConfigureAwait(false);
                    await ftp.StoreAsync(url.Path, body, progress, ct).ConfigureAwait(false);
                    await ftp.QuitAsync(ct).ConfigureAwait(false);
                    break;
                }
            case ExportScheme.Scp:
                {
                    var paths = ctx.State.Paths;
                    var known = new KnownHosts(Path.Combine(paths.StateDirectory, KnownHosts.FileName));
                    var uploader = new ScpUploader(known);
                    await uploader.UploadAsync(
                        url.Host, url.EffectivePort, url.User!, url.Password, [Path.Combine(paths.StateDirectory, IdentityFileName)], url.Path, body,
                        offer => ConfirmHostAsync(ctx, offer), progress, ct).ConfigureAwait(false);
                    break;
                }
        }
    }

    /// <summary>OpenSSH's question for an unknown host key, as FTD prints it; "yes" records the key.</summary>
    private static async Task<bool> ConfirmHostAsync(CommandContext ctx, HostKeyOffer offer)
    {
        string address = offer.Host;
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(offer.Host, ctx.Cancellation).ConfigureAwait(false);
            if (addresses.Length > 0) address = addresses[0].ToString();
        }
        catch (SocketException)
        {
            // The connection just worked, so the name resolves; a failure here only costs the address in the question.
        }
        string answer = await ctx.Ask(
            $"The authenticity of host '{offer.Host} ({address})' can't be established.\n" +
            $"{KnownHosts.KeyFamily(offer.KeyType)} key fingerprint is <{offer.Fingerprint}>(SHA256).\n" +
            "Are you sure you want to continue connecting (yes/no)? ").ConfigureAwait(false);
        if (!answer.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase)) return false;
        await ctx.Stream($"Warning: Permanently added '{offer.Host}' ({KnownHosts.KeyFamily(offer.KeyType)}) to the list of known hosts.\n").ConfigureAwait(false);
        return true;
    }

    private static async Task<IPEndPoint> ResolveAsync(ExportUrl url, CancellationToken ct)
    {
        if (IPAddress.TryParse(url.Host, out var ip)) return new IPEndPoint(ip, url.EffectivePort);
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(url.Host, ct).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            addresses = [];
        }
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ExportUrlException($"cannot resolve host '{url.Host}'");
        return new IPEndPoint(chosen, url.EffectivePort);
    }
}
