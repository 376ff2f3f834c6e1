using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.Daemon.Export;

/// <summary>Where <c>copy</c> sends a capture.</summary>
public enum ExportScheme
{
    Tftp,
    Ftp,
    Scp,
    Disk,
}

/// <summary>A destination URL that cannot be read; its message never holds a password.</summary>
public sealed class ExportUrlException(string message) : Exception(message);

/// <summary>
/// A <c>copy</c> destination: <c>tftp://HOST[:PORT][/PATH]</c>, <c>ftp://USER:PASS@HOST[:PORT][/PATH]</c>,
/// <c>scp://USER[:PASS]@HOST[:PORT][/PATH]</c>, <c>disk:PATH</c> (also <c>disk0:</c>), or a bare
/// <c>tftp:</c>/<c>ftp:</c>/<c>scp:</c> that leaves everything to the dialog. User, password and
/// path are percent-decoded. <see cref="ToString"/> shows the password as <c>****</c>, so the URL
/// can go into any message.
/// </summary>
public sealed partial record ExportUrl
{
    public const string PasswordMask = "****";

    public required ExportScheme Scheme { get; init; }

    /// <summary>Host name or address ("" when the URL has none: the dialog asks).</summary>
    public string Host { get; init; } = "";

    /// <summary>The port written in the URL, null for the scheme's own.</summary>
    public int? Port { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>The file: relative to the server's root or login directory, or to the capture directory for disk ("" = not given).</summary>
    public string Path { get; init; } = "";

    public int EffectivePort => Port ?? Scheme switch
    {
        ExportScheme.Tftp => 69,
        ExportScheme.Ftp => 21,
        ExportScheme.Scp => 22,
        _ => 0,
    };

    public static string SchemeName(ExportScheme scheme) => scheme switch
    {
        ExportScheme.Tftp => "tftp",
        ExportScheme.Ftp => "ftp",
        ExportScheme.Scp => "scp",
        _ => "disk",
    };

    public static ExportUrl Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new ExportUrlException("%Error parsing url");
        string scheme = text[..colon].ToLowerInvariant();
        string rest = text[(colon + 1)..];
        switch (scheme)
        {
            case "disk":
            case "disk0":
                // disk0:/file and disk0:file both name a file in the capture directory.
                return new ExportUrl { Scheme = ExportScheme.Disk, Path = Decode(rest.TrimStart('/')) };
            case "tftp":
                return Remote(ExportScheme.Tftp, rest);
            case "ftp":
                return Remote(ExportScheme.Ftp, rest);
            case "scp":
                return Remote(ExportScheme.Scp, rest);
            default:
                throw new ExportUrlException($"%Error: copy to '{scheme}:' is not supported (tftp:, ftp:, scp:, disk:)");
        }
    }

    private static ExportUrl Remote(ExportScheme scheme, string rest)
    {
        if (rest.Length == 0) return new ExportUrl { Scheme = scheme };
        if (!rest.StartsWith("//", StringComparison.Ordinal)) throw new ExportUrlException("%Error parsing url");
        rest = rest[2..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string authority = slash < 0 ? rest : rest[..slash];
        string path = slash < 0 ? "" : Decode(rest[(slash + 1)..]);

        string? user = null, password = null;
        // The last '@' ends the credentials: an unencoded '@' in a password still parses.
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string credentials = authority[..at];
            authority = authority[(at + 1)..];
            int sep = credentials.IndexOf(':', StringComparison.Ordinal);
            user = Decode(sep < 0 ? credentials : credentials[..sep]);
            if (sep >= 0) password = Decode(credentials[(sep + 1)..]);
        }

        string host;
        int? port = null;
        string portText = "";
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new ExportUrlException("%Error parsing url");
            host = authority[1..close];
            string after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') throw new ExportUrlException("%Error parsing url");
                portText = after[1..];
            }
        }
        else
        {
            int sep = authority.LastIndexOf(':');
            host = sep < 0 ? authority : authority[..sep];
            if (sep >= 0) portText = authority[(sep + 1)..];
        }
        if (portText.Length > 0)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
                throw new ExportUrlException($"%Error: bad port '{portText}'");
            port = p;
        }
        if (host.Length > 0 && !HostPattern().IsMatch(host)) throw new ExportUrlException("%Error: bad host name");
        return new ExportUrl { Scheme = scheme, Host = host, Port = port, User = user, Password = password, Path = path };
    }

    /// <summary>The URL as shown to people: the password replaced by <see cref="PasswordMask"/>.</summary>
    public override string ToString()
    {
        if (Scheme == ExportScheme.Disk) return "disk:" + Path;
        var sb = new StringBuilder(SchemeName(Scheme)).Append("://");
        if (User is not null)
        {
            sb.Append(Uri.EscapeDataString(User));
            if (Password is not null) sb.Append(':').Append(PasswordMask);
            sb.Append('@');
        }
        sb.Append(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host);
        if (Port is int p) sb.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        if (Path.Length > 0) sb.Append('/').Append(Path);
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="line"/> with the password of every <c>scheme://user:password@</c> in it
    /// replaced by <see cref="PasswordMask"/>: for command history, logs and error messages.
    /// </summary>
    public static string Redact(string line) => CredentialsPattern().Replace(line, m => m.Groups[1].Value + PasswordMask + "@");

    /// <summary>Removes <paramref name="password"/> from a text that came from elsewhere (a server's reply, an exception).</summary>
    public static string Scrub(string text, string? password) =>
        string.IsNullOrEmpty(password) ? text : text.Replace(password, PasswordMask, StringComparison.Ordinal);

    private static string Decode(string s)
    {
        try
        {
            return Uri.UnescapeDataString(s);
        }
        catch (UriFormatException)
        {
            throw new ExportUrlException("%Error parsing url");
        }
    }

    // Names, IPv4 and IPv6 literals; nothing that could smuggle a path or an option.
    [GeneratedRegex(@"^[A-Za-z0-9._:%-]+$")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://[^:@/\s]*:)[^\s]*@")]
    private static partial Regex CredentialsPattern();
}
