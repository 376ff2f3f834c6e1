using System.Runtime.InteropServices;
using System.Text;
using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary><c>write memory</c>: saves the running config to the file it was read from.</summary>
public sealed class WriteMemoryCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        root.Keyword("write", "Write running configuration to memory or terminal")
            .Keyword("memory", "Write the running configuration to the startup configuration file")
            .Runs(Run, Privilege.Admin);

    private static async Task<CommandResult> Run(CommandContext ctx)
    {
        await ctx.State.ConfigLock.WaitAsync(ctx.Cancellation).ConfigureAwait(false);
        try
        {
            ConfigFileWriter.Write(ctx.Runtime.ConfigPath, ctx.Runtime.Snapshot.Config.ToText());
            return CommandResult.Ok("Building configuration...\n[OK]\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CommandResult.Fail($"ERROR: cannot write {ctx.Runtime.ConfigPath}: {e.Message}");
        }
        finally
        {
            ctx.State.ConfigLock.Release();
        }
    }
}

/// <summary>
/// Atomic replacement of a config file: the new text goes to a temporary file in the same
/// directory, is flushed to disk, the old file is kept as <c>NAME.bak</c>, and a rename puts the
/// new file in place, so a crash leaves either the old or the new file, never half of one. The
/// directory is synced last so that the rename itself survives a power loss.
/// </summary>
public static class ConfigFileWriter
{
    public static void Write(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        // The file holds password hashes (username lines): owner only, whatever it was before and
        // whatever the umask; show running-config is how operators read it.
        var ownerOnly = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) ownerOnly.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var fs = new FileStream(temp, ownerOnly))
            {
                fs.Write(Encoding.UTF8.GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            if (File.Exists(full))
            {
                File.Copy(full, full + ".bak", overwrite: true);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full + ".bak", UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        SyncDirectory(dir);
    }

    private static void SyncDirectory(string dir)
    {
        int fd = open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        _ = fsync(fd);
        _ = close(fd);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
