using Bridge.Daemon.Replay;

namespace Bridge.Daemon;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "replay")
        {
            return ReplayCommand.Run(args.AsSpan(1).ToArray(), Console.Out, Console.Error);
        }
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            Console.Out.Write(Usage);
            return 0;
        }
        Console.Error.Write(Usage);
        Console.Error.WriteLine();
        Console.Error.WriteLine("No interfaces to bind yet: the live data path is started by 'scripts/lab up' (network-namespace lab)");
        Console.Error.WriteLine("or, offline, with 'bridged replay'. See README.md.");
        return 2;
    }

    private const string Usage = """
        Usage:
          bridged replay --config FILE --inside IN.pcap [--outside OUT.pcap] --write-dir DIR [--trace N]
              Runs the whole pipeline over the frames of IN.pcap (arriving on INSIDE) and OUT.pcap
              (arriving on OUTSIDE), merged by timestamp. Writes what each side transmits to
              DIR/inside-tx.pcap and DIR/outside-tx.pcap, and a report (show asp drop, show conn,
              show access-list) to DIR/report.txt. --trace N prints the trace of the first N packets.

        """;
}
