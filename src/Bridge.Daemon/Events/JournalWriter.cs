using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Bridge.Daemon.Events;

/// <summary>
/// Writes events to systemd-journald with its native protocol: one datagram per entry on the
/// journal socket, each field <c>NAME=value\n</c>, or, when the value holds a newline,
/// <c>NAME\n</c> + the value's length as a 64-bit little-endian integer + the value + <c>\n</c>.
/// Every entry carries <c>MESSAGE</c>, <c>PRIORITY</c>, <c>SYSLOG_IDENTIFIER=bridged</c>,
/// <c>SYSLOG_FACILITY</c> (local4, FTD's default), a fixed <c>MESSAGE_ID</c> per ASA message id
/// (<see cref="MessageIds"/>, listed in <c>Events/JOURNAL.md</c>) and the event's fields as
/// <c>BRIDGE_*</c>, so <c>journalctl BRIDGE_MSGID=302013 BRIDGE_SRC=192.168.103.1</c> works.
/// Used from the event pump's thread only.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    /// <summary>Where journald listens for native-protocol datagrams.</summary>
    public const string DefaultSocket = "/run/systemd/journal/socket";

    /// <summary>syslog facility local4 (20), FTD's default <c>logging facility</c>.</summary>
    public const int Facility = 20;

    /// <summary>
    /// The journal's MESSAGE_ID for each ASA message id: random 128-bit ids made once for Bridge
    /// (as <c>systemd-id128 new</c> would), fixed forever so catalogues and filters can rely on them.
    /// </summary>
    public static IReadOnlyDictionary<int, string> MessageIds { get; } = new Dictionary<int, string>
    {
        [106023] = "5e5df3cfe6e842c5bf3a65a85d35fccc",
        [302013] = "758ac450f3a44a559e9c9286b52a635e",
        [302014] = "5fca6325e0214509baff7bb88cf373b2",
        [302015] = "5dc31b4daf574600bd1bc5d78c3887b9",
        [302016] = "9a68cc6d998d4fd0950d6098a38dd735",
        [302020] = "1168bde89471463c801dfbdeb9e7b17c",
        [302021] = "7ebf974326c343d28ab5dcd5fd2c82e1",
        [430001] = "edeeb986d0e44d229af9324ce21fb840",
        [733100] = "3449d21aba2f47f5b885219017a718d5",
    };

    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _endpoint;
    private readonly MemoryStream _buffer = new();

    public JournalWriter(string socketPath)
    {
        SocketPath = socketPath;
        _endpoint = new UnixDomainSocketEndPoint(socketPath);
    }

    public string SocketPath { get; }

    /// <summary>Entries the journal accepted.</summary>
    public long Written { get; private set; }

    /// <summary>
    /// The writer for this process when it runs under systemd: <c>JOURNAL_STREAM</c> is set (our
    /// stdout/stderr go to the journal) or journald's socket exists. Null otherwise, and when
    /// <paramref name="socketPath"/> is "off".
    /// </summary>
    public static JournalWriter? Detect(string? socketPath = null)
    {
        if (socketPath == "off") return null;
        if (socketPath is { Length: > 0 }) return new JournalWriter(socketPath);
        bool underSystemd = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
        return underSystemd || File.Exists(DefaultSocket) ? new JournalWriter(DefaultSocket) : null;
    }

    /// <summary>Sends one entry; false when the journal did not take it (socket gone, entry too large), so the caller can log it another way.</summary>
    public bool TryWrite(BridgeEvent e)
    {
        var entry = Encode(e);
        try
        {
            _socket.SendTo(entry, SocketFlags.None, _endpoint);
            Written++;
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The datagram for <paramref name="e"/> (the native protocol's field encoding).</summary>
    public byte[] Encode(BridgeEvent e)
    {
        _buffer.SetLength(0);
        var inv = CultureInfo.InvariantCulture;
        Field("MESSAGE", e.Text);
        Field("PRIORITY", e.Severity.ToString(inv));
        Field("SYSLOG_FACILITY", Facility.ToString(inv));
        Field("SYSLOG_IDENTIFIER", "bridged");
        if (MessageIds.TryGetValue(e.MessageId, out var id)) Field("MESSAGE_ID", id);
        Field("BRIDGE_MSGID", e.MessageId.ToString(inv));
        foreach (var (name, value) in e.Fields) Field("BRIDGE_" + name.ToUpperInvariant(), value);
        return _buffer.ToArray();
    }

    private void Field(string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        _buffer.Write(Encoding.ASCII.GetBytes(name));
        if (Array.IndexOf(bytes, (byte)'\n') < 0)
        {
            _buffer.WriteByte((byte)'=');
            _buffer.Write(bytes);
        }
        else
        {
            // Binary-safe form: the value is length-prefixed, so it may hold newlines.
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
            _buffer.WriteByte((byte)'\n');
            _buffer.Write(length);
            _buffer.Write(bytes);
        }
        _buffer.WriteByte((byte)'\n');
    }

    public void Dispose() => _socket.Dispose();
}
