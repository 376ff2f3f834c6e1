using System.Text.RegularExpressions;

namespace Bridge.Ctl;

/// <summary>
/// Secrets typed at the prompt never reach <c>~/.bridgectl_history</c>: the password of a
/// <c>scheme://user:password@host</c> URL (<c>copy … ftp://…</c>) and the secret after
/// <c>password</c> (<c>username NAME password SECRET</c>) are kept as <c>****</c>.
/// </summary>
public static partial class HistoryRedaction
{
    public static string Redact(string line)
    {
        line = UrlPassword().Replace(line, "${head}****@");
        return PasswordWord().Replace(line, "${head}****");
    }

    [GeneratedRegex(@"(?<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)\S*@")]
    private static partial Regex UrlPassword();

    // An already-hashed secret (`... encrypted`) is harmless, but masking it too keeps the rule simple.
    [GeneratedRegex(@"(?<head>\bpassword\s+)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordWord();
}
