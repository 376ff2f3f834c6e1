using Bridge.Daemon.Export;

namespace Bridge.Daemon.Commands.Copy;

/// <summary>The destination the dialog settled on, or why there is none.</summary>
public sealed record CopyTarget(string Capture, ExportUrl? Url, string? Error);

/// <summary>
/// FTD's <c>copy</c> questions, in its order: source capture name, remote host, username (FTP,
/// SCP), password (FTP, asked unechoed and shown as <c>****</c>), destination filename. Each
/// offers the value from the command line in brackets; an empty answer keeps it. With
/// <c>/noconfirm</c> nothing is asked, except an SCP password that the line did not give and
/// nothing else can supply.
/// </summary>
public sealed class CopyDialog(CommandContext ctx, CopyCommand.CopyRequest request)
{
    public async Task<CopyTarget> RunAsync()
    {
        var url = request.Destination;
        string capture = request.Capture;
        bool ask = !request.NoConfirm;

        if (ask) capture = await AskAsync("Source capture name", capture).ConfigureAwait(false);
        if (url.Scheme != ExportScheme.Disk)
        {
            string host = ask ? await AskAsync("Address or name of remote host", url.Host).ConfigureAwait(false) : url.Host;
            if (host.Length == 0) return new CopyTarget(capture, null, "%Error: no remote host given");
            try
            {
                // A typed host goes through the same checks as one in the URL.
                string hostText = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
                url = url with { Host = ExportUrl.Parse(ExportUrl.SchemeName(url.Scheme) + "://" + hostText).Host };
            }
            catch (ExportUrlException e)
            {
                return new CopyTarget(capture, null, e.Message);
            }
        }
        if (url.Scheme is ExportScheme.Ftp or ExportScheme.Scp && ask)
        {
            url = url with { User = NullIfEmpty(await AskAsync("Destination username", url.User ?? "").ConfigureAwait(false)) };
        }
        if (url.Scheme == ExportScheme.Scp && url.User is null) return new CopyTarget(capture, null, "%Error: scp needs a username (scp://USER@HOST/PATH)");
        if (url.Scheme == ExportScheme.Ftp && ask)
        {
            string answer = await ctx.Ask($"Destination password [{(url.Password is null ? "" : ExportUrl.PasswordMask)}]? ", secret: true).ConfigureAwait(false);
            if (answer.Length > 0) url = url with { Password = answer };
        }
        if (url.Scheme == ExportScheme.Scp && url.Password is null && ctx.Interactive
            && !File.Exists(Path.Combine(ctx.State.Paths.StateDirectory, CopyCommand.IdentityFileName)))
        {
            url = url with { Password = NullIfEmpty(await ctx.Ask("Destination password []? ", secret: true).ConfigureAwait(false)) };
        }

        string file = url.Path.Length > 0 ? url.Path : capture;
        if (ask) file = await AskAsync("Destination filename", file).ConfigureAwait(false);
        if (file.Length == 0) return new CopyTarget(capture, null, "%Error: no destination filename given");
        return new CopyTarget(capture, url with { Path = file }, null);
    }

    private async Task<string> AskAsync(string question, string current)
    {
        string answer = (await ctx.Ask($"{question} [{current}]? ").ConfigureAwait(false)).Trim();
        return answer.Length > 0 ? answer : current;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
