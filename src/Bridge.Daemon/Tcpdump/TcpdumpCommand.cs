using Bridge.Capture.Tcpdump;

namespace Bridge.Daemon.Tcpdump;

/// <summary>
/// <c>bridged tcpdump -r FILE [-n|-nn] [-e] [-v|-vv] [-q] [-x|-X] [-c N] [-w OUT] [expression]</c>:
/// prints a pcap or pcapng file exactly as tcpdump 4.99 would (up to the transport layer), with the
/// same libpcap filter. The offline twin of <c>capture-traffic</c>, so its output can be checked
/// against the real tcpdump.
/// </summary>
public static class TcpdumpCommand
{
    public const string Usage = """
        Usage: bridged tcpdump -r FILE [-n|-nn] [-e] [-v|-vv] [-q] [-x|-xx|-X|-XX] [-c N] [-s N] [-w OUT] [expression]
            Prints FILE (pcap or pcapng, Ethernet) as tcpdump 4.99 prints it: 'reading from file ...' on
            stderr, one line per packet on stdout, up to the transport layer (no application decoding;
            UDP always prints 'UDP, length N'). Addresses are never resolved; without -n, ports are named
            from /etc/services as tcpdump names them. The expression is a tcpdump (libpcap) filter.
            -w OUT writes the matching packets to a pcap instead of printing them.

        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 1 && args[0] is "-h" or "--help")
        {
            stdout.Write(Usage);
            return 0;
        }
        return TcpdumpOffline.Run(args, stdout, stderr);
    }
}
