using Bridge.Capture.Tcpdump;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Export;

namespace Bridge.Daemon.Commands.CaptureTraffic;

/// <summary>
/// <c>capture-traffic</c> (and FTD 6.0's <c>system support capture-traffic</c>): FTD's dialog
/// (domain, then tcpdump options and filter), then tcpdump 4.99 lines for every frame the ASA
/// stages hand to the rules engine that matches the filter, streamed until <c>-c N</c> frames or
/// Ctrl+C. <c>-w FILE</c> writes them to a pcap in the capture directory instead.
/// </summary>
public sealed class CaptureTrafficCommand : ICommandModule
{
    private const string Help = "Display traffic or save to specified file";

    /// <summary>How often the session reads the workers' rings.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The domains FTD offers: Bridge has one, the data plane (FTD's <c>Router</c>); its number is
    /// FTD's, and it is the default.
    /// </summary>
    public const string DomainPrompt = "\nPlease choose domain to capture traffic from:\n  1 - Router\n\nSelection? ";

    public const string OptionsPrompt = "\nPlease specify tcpdump options desired.\n(or enter '?' for a list of supported options)\nOptions: ";

    public const string SupportedOptions = """

        Supported options:
          -n, -nn      do not convert addresses or port numbers to names (Bridge never resolves addresses)
          -e           print the link-level header (MAC addresses, EtherType, VLAN tags)
          -v, -vv      more detail (IP header fields, checksums, ICMP quotes, ND options)
          -q           quick output: less protocol information
          -x, -xx      hex dump of each packet (-xx: including the link header)
          -X, -XX      hex and ASCII dump of each packet
          -c N         stop after N packets
          -s N         keep N bytes of each packet (snapshot length)
          -w FILE      write the packets to FILE in the capture directory instead of printing them
          expression   a tcpdump (libpcap) filter, e.g. host 192.168.101.1 and icmp

        """;

    public void Register(GrammarNode root)
    {
        root.Keyword("capture-traffic", Help).Runs(RunAsync, Privilege.Admin);
        root.Keyword("system", "System management")
            .Keyword("support", "Support commands")
            .Keyword("capture-traffic", Help).Runs(RunAsync, Privilege.Admin);
    }

    private static async Task<CommandResult> RunAsync(CommandContext ctx)
    {
        for (int attempt = 1; ; attempt++)
        {
            string selection = (await ctx.Ask(DomainPrompt).ConfigureAwait(false)).Trim();
            if (selection is "" or "1") break;
            if (attempt == 3) return CommandResult.Fail("ERROR: no such domain");
            await ctx.Stream($"Invalid selection '{selection}'\n").ConfigureAwait(false);
        }
        string line;
        while (true)
        {
            line = (await ctx.Ask(OptionsPrompt).ConfigureAwait(false)).Trim();
            if (line != "?") break;
            await ctx.Stream(SupportedOptions).ConfigureAwait(false);
        }

        TcpdumpOptions options;
        string? writePath = null;
        try
        {
            options = TcpdumpOptions.Parse(TcpdumpOptions.SplitWords(line));
            if (options.ReadFile is not null) return CommandResult.Fail("tcpdump: -r is not available here: capture-traffic reads the live data plane");
            if (options.WriteFile is { } file)
            {
                if (file.Length == 0 || file.Contains('/') || file is "." or "..")
                {
                    return CommandResult.Fail($"tcpdump: -w takes a file name, written into the capture directory ({ctx.State.Paths.CaptureDirectory})");
                }
                // bridged runs on Linux only; the capture directory is created with a Unix mode.
                if (OperatingSystem.IsWindows()) return CommandResult.Fail("tcpdump: -w needs a Unix host");
                writePath = Path.Combine(ctx.State.Paths.EnsureCaptureDirectory(), file);
            }
        }
        catch (TcpdumpUsageException e)
        {
            return CommandResult.Fail("tcpdump: " + e.Message);
        }

        CaptureTrafficSession session;
        try
        {
            session = new CaptureTrafficSession(options, ctx.Runtime.Workers.Count, writePath, ServiceNames.System);
        }
        catch (TcpdumpUsageException e)
        {
            return CommandResult.Fail("tcpdump: " + e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CommandResult.Fail($"%Error writing {writePath} ({IoErrors.Reason(e)})");
        }

        using (session)
        {
            await ctx.Stream(Banner(options)).ConfigureAwait(false);
            await SnortTapHub.Attach(ctx.Runtime, session).ConfigureAwait(false);
            string rest;
            try
            {
                while (!session.Done && session.WriteError is null && !ctx.Cancellation.IsCancellationRequested)
                {
                    string text = session.Pump();
                    if (text.Length > 0) await ctx.Stream(text).ConfigureAwait(false);
                    if (session.Done) break;
                    await Task.Delay(PollInterval, ctx.Cancellation).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the normal end of a capture without -c.
            }
            finally
            {
                await SnortTapHub.Detach(ctx.Runtime, session).ConfigureAwait(false);
                // Frames that arrived before the taps went away still count.
                rest = session.Done ? "" : session.Pump();
            }
            if (session.WriteError is { } error)
            {
                // Disk full or an I/O error: the file keeps the whole records written before it.
                return CommandResult.Fail(rest + "\n" + session.Summary() +
                    $"%Error writing {writePath} ({IoErrors.Reason(error)}); the file keeps the {session.Written} packet{(session.Written == 1 ? "" : "s")} written before\n");
            }
            string saved = writePath is null ? "" : $"Wrote {session.Captured} packet{(session.Captured == 1 ? "" : "s")} to {writePath}\n";
            return CommandResult.Ok(rest + "\n" + session.Summary() + saved);
        }
    }

    /// <summary>What tcpdump says when it starts listening (on stderr; here the first lines of the stream).</summary>
    private static string Banner(TcpdumpOptions options)
    {
        int snap = options.SnapLength ?? TcpdumpOptions.MaximumSnapLength;
        string listening = $"listening on Router, link-type EN10MB (Ethernet), snapshot length {snap} bytes\n";
        return options.Verbose == 0 && options.WriteFile is null
            ? "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n" + listening
            : "tcpdump: " + listening;
    }
}
