using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Bridge.Capture;

/// <summary>
/// The fixed header at offset 0 of a ring file (native byte order: the file never leaves the host,
/// and a foreign order fails the magic). The owning worker updates <see cref="Window"/>,
/// <see cref="NextSequence"/> and <see cref="Flags"/> after each complete record; the control plane
/// writes <see cref="DefinitionHash"/> when the definition changes without touching the geometry.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RingHeader
{
    public ulong Magic;
    public uint Version;
    public uint HeaderBytes;
    public ulong DefinitionHash;
    public uint DataBytes;
    public uint MaxRecords;
    public uint RecordSize;
    public uint Worker;
    public uint Workers;
    public uint Flags;
    /// <summary>Index of the oldest record (high 32 bits) and record count (low 32 bits), one store so a kill never splits them.</summary>
    public ulong Window;
    public long NextSequence;
}

/// <summary>One record header in the ring file: where the frame's bytes are and what the capture knew about it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RingRecord
{
    public long TimeNs;
    public long Sequence;
    public int Offset;
    public int Length;
    public int OriginalLength;
    public byte Drop;
    public byte Section;
    public byte Direction;
    public byte Flags;
}

/// <summary>
/// Layout of a capture ring file (<c>RUNTIME/captures/NAME.wN.ring</c>): a 4 KiB page for the
/// <see cref="RingHeader"/>, the record headers (32 bytes each), then the frame bytes. The same
/// layout backs in-memory slots, so one code path writes both.
/// </summary>
public static class CaptureRingFile
{
    /// <summary>"BRCAPRNG" read as a little-endian 64-bit number.</summary>
    public const ulong Magic = 0x474E_5250_4143_5242UL;
    public const uint Version = 1;
    public const int HeaderBytes = 4096;
    public const int RecordSize = 32;

    internal const uint FlagFull = 1;
    internal const byte RecordTraced = 1;

    /// <summary>Record headers a slot of <paramref name="dataBytes"/> holds: enough for frames averaging 48 bytes.</summary>
    public static int RecordsFor(int dataBytes) => dataBytes / 48 + 16;

    /// <summary>Offset of the frame bytes: after the header and the record headers, page-aligned.</summary>
    public static long DataOffset(int maxRecords) => HeaderBytes + AlignPage((long)maxRecords * RecordSize);

    /// <summary>Total size of a ring file.</summary>
    public static long FileBytes(int dataBytes, int maxRecords) => DataOffset(maxRecords) + dataBytes;

    private static long AlignPage(long n) => (n + 4095) & ~4095L;

    /// <summary>64-bit FNV-1a of a definition's text: the rings record which definition filled them.</summary>
    public static ulong Hash(string text)
    {
        ulong h = 0xcbf2_9ce4_8422_2325UL;
        foreach (char c in text)
        {
            h = (h ^ (byte)c) * 0x0000_0100_0000_01b3UL;
            h = (h ^ (byte)(c >> 8)) * 0x0000_0100_0000_01b3UL;
        }
        return h;
    }

    static unsafe CaptureRingFile()
    {
        // The layout is the file format: a change here is a new Version.
        if (sizeof(RingHeader) != 64 || sizeof(RingRecord) != RecordSize) throw new InvalidOperationException("capture ring layout changed");
    }
}

/// <summary>
/// The memory behind one <see cref="CaptureSlot"/>: a shared mapping of a ring file (it survives a
/// kill of the process in the page cache), or anonymous memory when captures are not kept across
/// restarts. Never unmapped explicitly: a worker may still be writing through an old capture set
/// after a swap, so the mapping is released by the finalizer once nothing references it.
/// </summary>
internal sealed unsafe class RingMemory
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;

    private RingMemory(byte* pointer, long length, MemoryMappedFile? file, MemoryMappedViewAccessor? view, string? path)
    {
        Pointer = pointer;
        Length = length;
        _file = file;
        _view = view;
        Path = path;
    }

    public byte* Pointer { get; }
    public long Length { get; }

    /// <summary>The ring file, or null for anonymous memory.</summary>
    public string? Path { get; }

    public static RingMemory Anonymous(long length)
    {
        // SAFETY: zeroed native block of exactly `length` bytes, freed only by the finalizer.
        return new RingMemory((byte*)NativeMemory.AllocZeroed((nuint)length), length, null, null, null);
    }

    /// <summary>Maps <paramref name="path"/>; with <paramref name="create"/> a new file of <paramref name="length"/> zero bytes replaces any old one.</summary>
    public static RingMemory Map(string path, long length, bool create)
    {
        if (create)
        {
            // Unlink first: a worker may still write through a mapping of the old file, and
            // truncating that inode under it would fault the worker (SIGBUS).
            File.Delete(path);
            using var fs = new FileStream(path, CaptureRingDirectory.PrivateFile(FileMode.CreateNew));
            fs.SetLength(length);
        }
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        try
        {
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
            byte* p = null;
            // SAFETY: the view stays mapped (pointer acquired) until the finalizer releases it.
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            return new RingMemory(p + view.PointerOffset, length, file, view, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    ~RingMemory()
    {
        if (_view is null)
        {
            // SAFETY: allocated by Anonymous; nothing references this memory any more.
            NativeMemory.Free(Pointer);
            return;
        }
        // SafeHandles finalize after ordinary finalizers, so the view handle is still valid here.
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file?.Dispose();
    }
}
