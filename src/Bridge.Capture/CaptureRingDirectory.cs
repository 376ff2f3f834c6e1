using System.Globalization;
using System.Text;

namespace Bridge.Capture;

/// <summary>
/// Where captures survive a daemon restart: <c>RUNTIME/captures/</c> holds, per capture, its
/// definition (<c>NAME.def</c>: the <c>capture</c> command lines that rebuild it) and one ring file
/// per worker (<c>NAME.wN.ring</c>, <see cref="CaptureRingFile"/>). Names are escaped for the file
/// system (anything but letters, digits, '_' and '-' becomes <c>%XX</c>); the definition file is
/// the authority on the real name.
/// </summary>
public sealed class CaptureRingDirectory
{
    private const string DefinitionSuffix = ".def";
    private const string FirstLine = "! bridged capture definition v1";
    private const string OrderPrefix = "! order ";

    public CaptureRingDirectory(string directory)
    {
        Directory = System.IO.Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>Creates the directory (mode 0700: the rings hold captured traffic) if missing.</summary>
    public void Ensure()
    {
        if (System.IO.Directory.Exists(Directory)) return;
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(Directory);
        else System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string RingPath(string name, int worker) => System.IO.Path.Combine(Directory, FileName(name) + ".w" + worker.ToString(CultureInfo.InvariantCulture) + ".ring");

    public string DefinitionPath(string name) => System.IO.Path.Combine(Directory, FileName(name) + DefinitionSuffix);

    /// <summary>The escaped file-name stem of a capture name.</summary>
    public static string FileName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'-') sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>
    /// The definition file's text: a version line, the capture's position in <c>show capture</c>,
    /// then <c>capture NAME ...</c> lines that <see cref="CaptureSyntax.Apply"/> turns back into
    /// the same definition (the configuration line, each match, <c>stop</c>).
    /// </summary>
    public static string DefinitionText(CaptureDefinition def, int order)
    {
        var sb = new StringBuilder();
        sb.Append(FirstLine).Append('\n');
        sb.Append(OrderPrefix).Append(order.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(def.Summary()).Append('\n');
        foreach (var m in def.Matches) sb.Append("capture ").Append(def.Name).Append(' ').Append(m).Append('\n');
        if (def.Stopped) sb.Append("capture ").Append(def.Name).Append(" stop\n");
        return sb.ToString();
    }

    /// <summary>Reads a definition file's text back; throws <see cref="FormatException"/> or <see cref="CaptureSyntaxException"/> when it is not one.</summary>
    public static (CaptureDefinition Definition, int Order) ParseDefinition(string text, ICaptureNames names)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 3 || lines[0] != FirstLine) throw new FormatException("not a capture definition file (or another version)");
        if (!lines[1].StartsWith(OrderPrefix, StringComparison.Ordinal)
            || !int.TryParse(lines[1].AsSpan(OrderPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int order))
        {
            throw new FormatException("no order line");
        }
        CaptureDefinition? def = null;
        string? name = null;
        for (int i = 2; i < lines.Length; i++)
        {
            var tokens = CaptureSyntax.Tokenize(lines[i], 0);
            if (tokens.Count < 3 || tokens[0].Text != "capture") throw new FormatException($"line {i + 1} is not a capture command");
            name ??= tokens[1].Text;
            if (tokens[1].Text != name) throw new FormatException($"line {i + 1} names another capture");
            def = CaptureSyntax.Apply(def, name, tokens.GetRange(2, tokens.Count - 2), names);
        }
        return (def!, order);
    }

    /// <summary>Writes a definition file whole (temporary file, then rename), so a kill leaves the old or the new one.</summary>
    public void SaveDefinition(string name, string text)
    {
        string path = DefinitionPath(name);
        string temporary = path + ".tmp";
        using (var fs = new FileStream(temporary, PrivateFile(FileMode.Create)))
        {
            fs.Write(Encoding.UTF8.GetBytes(text));
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Options for a file of captured traffic: owner read/write only (0600) where the OS has modes.</summary>
    internal static FileStreamOptions PrivateFile(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite | FileShare.Delete };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    /// <summary>Deletes a capture's definition and ring files.</summary>
    public void Delete(string name)
    {
        File.Delete(DefinitionPath(name));
        DeleteRings(name);
    }

    /// <summary>Deletes a capture's ring files, whatever worker count wrote them.</summary>
    public void DeleteRings(string name)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var ring in System.IO.Directory.EnumerateFiles(Directory, FileName(name) + ".w*.ring")) File.Delete(ring);
    }

    /// <summary>The definition files present, unordered.</summary>
    public IEnumerable<string> DefinitionFiles() =>
        System.IO.Directory.Exists(Directory) ? System.IO.Directory.EnumerateFiles(Directory, "*" + DefinitionSuffix) : [];

    /// <summary>Ring files whose capture has no definition file (left by a crash mid-removal, or by another version).</summary>
    public IEnumerable<string> OrphanRings()
    {
        if (!System.IO.Directory.Exists(Directory)) yield break;
        foreach (var ring in System.IO.Directory.EnumerateFiles(Directory, "*.ring"))
        {
            string file = System.IO.Path.GetFileName(ring);
            int w = file.LastIndexOf(".w", StringComparison.Ordinal);
            if (w <= 0 || !File.Exists(System.IO.Path.Combine(Directory, file[..w] + DefinitionSuffix))) yield return ring;
        }
    }
}
