namespace Bridge.Daemon.Export;

/// <summary>
/// <c>copy … disk:PATH</c>: a file under the capture directory and nowhere else. Paths are taken
/// relative to that directory; <c>..</c> that climbs out of it, and symbolic links on the way
/// (which could point anywhere), are refused.
/// </summary>
public static class DiskTarget
{
    /// <summary>The full path <paramref name="relative"/> names inside <paramref name="captureDirectory"/>.</summary>
    public static string Resolve(string captureDirectory, string relative)
    {
        string root = Path.GetFullPath(captureDirectory);
        if (relative.Length == 0 || relative.EndsWith('/') || relative.Contains('\0', StringComparison.Ordinal))
            throw new ExportUrlException($"%Error: '{relative}' is not a file name");
        string full = Path.GetFullPath(Path.Combine(root, relative.TrimStart('/')));
        string prefix = root.EndsWith('/') ? root : root + "/";
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
            throw new ExportUrlException($"%Error: disk:{relative} is outside the capture directory");

        // Every existing component below the root must be a plain directory or file, not a link.
        string current = root;
        foreach (var part in full[prefix.Length..].Split('/'))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null) throw new ExportUrlException($"%Error: disk:{relative} goes through a symbolic link");
            if (!info.Exists && !Directory.Exists(current)) break;
        }
        if (Directory.Exists(full)) throw new ExportUrlException($"%Error: disk:{relative} is a directory");
        return full;
    }

    /// <summary>Writes <paramref name="source"/> to <paramref name="path"/> (a <see cref="Resolve"/> result), creating its directories.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task WriteAsync(string path, Stream source, TransferProgress? progress, CancellationToken cancellation)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        // Written beside the target and renamed, so a reader never sees half a file.
        string temp = path + ".part";
        try
        {
            // Readable by group bridge (the show-only operators), whatever the service's umask.
            var create = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            };
            await using (var file = new FileStream(temp, create))
            {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellation).ConfigureAwait(false);
                    progress?.Add(n);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
