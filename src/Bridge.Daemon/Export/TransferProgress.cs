namespace Bridge.Daemon.Export;

/// <summary>
/// FTD's <c>!</c> progress marks: one per <see cref="BytesPerMark"/> bytes sent (the seed's TFTP
/// and FTP copies show about one per 2 KiB). Transfer clients call <see cref="Add"/> from any
/// thread; <see cref="RunAsync"/> streams the new marks a few times a second, so a 32 MiB copy
/// makes a few dozen writes to the session rather than sixteen thousand.
/// </summary>
public sealed class TransferProgress(Func<string, Task> stream, int bytesPerMark = TransferProgress.DefaultBytesPerMark)
{
    public const int DefaultBytesPerMark = 2048;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private long _bytes;
    private long _marksShown;

    public int BytesPerMark { get; } = bytesPerMark;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Marks written so far.</summary>
    public long MarksShown => _marksShown;

    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);

    /// <summary>Streams marks until <paramref name="transfer"/> ends, then the rest (one for a last partial block).</summary>
    public async Task RunAsync(Task transfer)
    {
        while (!transfer.IsCompleted)
        {
            await Task.WhenAny(transfer, Task.Delay(Interval)).ConfigureAwait(false);
            await FlushAsync(Bytes / BytesPerMark).ConfigureAwait(false);
        }
        if (transfer.IsCompletedSuccessfully) await FlushAsync((Bytes + BytesPerMark - 1) / BytesPerMark).ConfigureAwait(false);
    }

    private async Task FlushAsync(long marks)
    {
        if (marks <= _marksShown) return;
        string text = new('!', (int)(marks - _marksShown));
        _marksShown = marks;
        await stream(text).ConfigureAwait(false);
    }
}
