using System.Text;

namespace Bridge.Daemon.Events;

/// <summary>
/// An append-only text file that rotates by size: when the next line would take it past
/// <see cref="MaxBytes"/> it becomes <c>NAME.1</c> (older ones shift to <c>.2</c> … and the oldest
/// beyond <see cref="Keep"/> is deleted) and a new file starts, as logrotate's <c>size</c> and
/// <c>rotate</c> would. Written only from the event pump's thread.
/// </summary>
public sealed class RotatingFile(string path, long maxBytes, int keep) : IDisposable
{
    private FileStream? _stream;
    private long _length;

    public string Path { get; } = path;

    public long MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes));

    public int Keep { get; } = keep >= 1 ? keep : throw new ArgumentOutOfRangeException(nameof(keep));

    /// <summary>Lines written since the daemon started.</summary>
    public long Lines { get; private set; }

    public void WriteLine(string line)
    {
        int bytes = Encoding.UTF8.GetByteCount(line) + 1;
        var stream = Open();
        if (_length > 0 && _length + bytes > MaxBytes)
        {
            Rotate();
            stream = Open();
        }
        var buffer = Encoding.UTF8.GetBytes(line + "\n");
        stream.Write(buffer);
        _length += buffer.Length;
        Lines++;
    }

    /// <summary>Pushes what was written to the file (called once per drain, not per line).</summary>
    public void Flush() => _stream?.Flush();

    private FileStream Open()
    {
        if (_stream is not null) return _stream;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _length = _stream.Length;
        return _stream;
    }

    private void Rotate()
    {
        _stream?.Dispose();
        _stream = null;
        string Numbered(int n) => $"{Path}.{n}";
        if (File.Exists(Numbered(Keep))) File.Delete(Numbered(Keep));
        for (int n = Keep - 1; n >= 1; n--)
        {
            if (File.Exists(Numbered(n))) File.Move(Numbered(n), Numbered(n + 1));
        }
        File.Move(Path, Numbered(1));
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
