using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bridge.Daemon.Export;

/// <summary>What the known-hosts file says about a server's key.</summary>
public enum HostKeyStatus
{
    /// <summary>No key of this type is recorded for the host.</summary>
    Unknown,

    /// <summary>The recorded key is the one offered.</summary>
    Trusted,

    /// <summary>A different key of the same type is recorded: the host changed its key, or someone is in between.</summary>
    Changed,
}

/// <summary>
/// The bridge's <c>ssh_known_hosts</c> in OpenSSH's format: one <c>PATTERNS KEYTYPE BASE64</c> per
/// line, patterns comma-separated, <c>[host]:port</c> for a port other than 22, hashed entries
/// (<c>|1|salt|hash</c>) understood; lines starting with '#' and markers such as
/// <c>@cert-authority</c> are skipped. New keys are appended.
/// </summary>
public sealed class KnownHosts(string path)
{
    public const string FileName = "ssh_known_hosts";

    public string Path { get; } = path;

    /// <summary>The name OpenSSH files a host under: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string EntryName(string host, int port) =>
        port == 22 ? host.ToLowerInvariant() : "[" + host.ToLowerInvariant() + "]:" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The key type inside an SSH public key blob (its first string, e.g. <c>ssh-ed25519</c>).</summary>
    public static string KeyType(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4) throw new FormatException("short host key");
        int n = (int)BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (n < 1 || n > blob.Length - 4) throw new FormatException("bad host key");
        return Encoding.ASCII.GetString(blob.Slice(4, n));
    }

    public HostKeyStatus Check(string host, int port, ReadOnlySpan<byte> blob)
    {
        if (!File.Exists(Path)) return HostKeyStatus.Unknown;
        string name = EntryName(host, port);
        string type = KeyType(blob);
        string key = Convert.ToBase64String(blob);
        var status = HostKeyStatus.Unknown;
        foreach (var raw in File.ReadLines(Path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '@') continue;
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[1] != type || !Matches(fields[0], name)) continue;
            if (fields[2] == key) return HostKeyStatus.Trusted;
            status = HostKeyStatus.Changed;
        }
        return status;
    }

    /// <summary>Records the key (the user said yes to the authenticity question).</summary>
    public void Add(string host, int port, ReadOnlySpan<byte> blob)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
        string line = EntryName(host, port) + " " + KeyType(blob) + " " + Convert.ToBase64String(blob) + "\n";
        bool exists = File.Exists(Path);
        if (!exists) Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var file = new FileStream(Path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
        // A file whose last line has no newline (edited by hand) must not swallow the new entry.
        if (exists && file.Length > 0 && !EndsWithNewline()) file.WriteByte((byte)'\n');
        file.Write(Encoding.ASCII.GetBytes(line));
    }

    /// <summary>FTD's rendering of a key's SHA-256 fingerprint: colon-separated hex.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> blob) => string.Join(':', SHA256.HashData(blob).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>FTD's name for the key type in its messages: RSA, ED25519, ECDSA.</summary>
    public static string KeyFamily(string keyType) => keyType switch
    {
        "ssh-rsa" => "RSA",
        "ssh-ed25519" => "ED25519",
        "ssh-dss" => "DSA",
        _ when keyType.StartsWith("ecdsa-", StringComparison.Ordinal) => "ECDSA",
        _ => keyType,
    };

    private bool EndsWithNewline()
    {
        using var read = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (read.Length == 0) return true;
        read.Seek(-1, SeekOrigin.End);
        return read.ReadByte() == '\n';
    }

    private static bool Matches(string patterns, string name)
    {
        if (patterns.StartsWith("|1|", StringComparison.Ordinal)) return HashedMatches(patterns, name);
        bool matched = false;
        foreach (var p in patterns.Split(','))
        {
            bool negated = p.StartsWith('!');
            string pattern = negated ? p[1..] : p;
            if (!Glob(pattern.ToLowerInvariant(), name)) continue;
            if (negated) return false;
            matched = true;
        }
        return matched;
    }

    // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
    private static bool HashedMatches(string entry, string name)
    {
        var parts = entry.Split('|');
        if (parts.Length != 4) return false;
        try
        {
            byte[] salt = Convert.FromBase64String(parts[2]);
            byte[] expected = Convert.FromBase64String(parts[3]);
            return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(name)), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // OpenSSH patterns: '*' any run, '?' one character.
    private static bool Glob(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
