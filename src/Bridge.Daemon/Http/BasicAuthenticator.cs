using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Bridge.Daemon.Commands;
using Bridge.Pipeline.Config;

namespace Bridge.Daemon.Http;

/// <summary>
/// HTTP Basic credentials checked against the config's <c>username</c> lines. PBKDF2 is slow on
/// purpose, and the web pages send the credentials with every request, so a verified
/// (user, password, stored hash) triple is remembered as a keyed hash under a key that lives only in
/// this process: nothing in memory can be checked offline against guesses, and changing the user's
/// password changes the stored hash and so forgets the entry.
/// </summary>
public sealed class BasicAuthenticator
{
    private const int MaxRemembered = 1024;
    // Verified against when the user does not exist, so that an unknown name costs as much as a wrong password.
    private static readonly string DummyHash = PasswordHash.Create(Guid.NewGuid().ToString());
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);

    /// <summary>The user named by an <c>Authorization: Basic</c> header, or null when the header is missing or malformed.</summary>
    public static (string User, string Password)? ReadHeader(string? authorization)
    {
        if (authorization is null || !AuthenticationHeaderValue.TryParse(authorization, out var header)) return null;
        if (!string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null) return null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return null;
        }
        int colon = decoded.IndexOf(':');
        return colon <= 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }

    /// <summary>
    /// The user's account when the password is right, else null; <c>Remembered</c> tells that it was
    /// verified before (a new login is counted only when it is false).
    /// </summary>
    public (UserAccount? Account, bool Remembered) Check(BridgeConfig config, string user, string password)
    {
        var account = config.FindUser(user);
        if (account is null)
        {
            PasswordHash.Verify(DummyHash, password);
            return (null, false);
        }
        string token = Token(account, password);
        if (_verified.ContainsKey(token)) return (account, true);
        if (!PasswordHash.Verify(account.PasswordHash, password)) return (null, false);
        if (_verified.Count >= MaxRemembered) _verified.Clear();
        _verified[token] = true;
        return (account, false);
    }

    /// <summary>Privilege 15 may change the bridge (like group bridge-admin on the socket); lower levels may only read.</summary>
    public static AdminRole RoleOf(UserAccount account) =>
        account.Privilege >= UserAccount.AdminPrivilege ? AdminRole.Admin : AdminRole.Monitor;

    private string Token(UserAccount account, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(account.Name + "\0" + password + "\0" + account.PasswordHash)));
}
