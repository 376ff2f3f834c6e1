using System.Collections.Concurrent;

namespace Bridge.Daemon.Export;

/// <summary>
/// Capture exports by scheme (tftp, ftp, scp, disk) and result (ok, failed), with bytes sent, for
/// the metrics endpoint. Process-wide like the exports themselves; written once per copy.
/// </summary>
public static class ExportCounters
{
    private static readonly ConcurrentDictionary<(string Scheme, string Result), long> Operations = new();
    private static readonly ConcurrentDictionary<string, long> SentBytes = new(StringComparer.Ordinal);

    public static void Record(string scheme, bool ok, long bytes)
    {
        Operations.AddOrUpdate((scheme, ok ? "ok" : "failed"), 1, static (_, n) => n + 1);
        if (ok) SentBytes.AddOrUpdate(scheme, bytes, (_, n) => n + bytes);
    }

    public static IReadOnlyDictionary<(string Scheme, string Result), long> OperationCounts => Operations;

    public static IReadOnlyDictionary<string, long> Bytes => SentBytes;
}
