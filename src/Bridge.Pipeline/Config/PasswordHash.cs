using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bridge.Pipeline.Config;

/// <summary>
/// Password hashes as kept in the config: <c>$pbkdf2-sha256$ITERATIONS$SALT$KEY</c>, salt and key in
/// base64 (no padding, '+' and '/' as usual; neither contains spaces or '$', so the hash is one
/// config token). The iteration count is part of the string so that it can be raised later without
/// invalidating existing lines.
/// </summary>
public static class PasswordHash
{
    public const string Prefix = "$pbkdf2-sha256$";
    public const int DefaultIterations = 100_000;
    private const int SaltBytes = 16;
    private const int KeyBytes = 32;
    private const int MinIterations = 1_000;
    private const int MaxIterations = 10_000_000;

    public static string Create(string secret, int iterations = DefaultIterations)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, KeyBytes);
        return Prefix + iterations.ToString(CultureInfo.InvariantCulture) + "$" + B64(salt) + "$" + B64(key);
    }

    public static bool IsWellFormed(string hash) => TryParse(hash, out _, out _, out _);

    /// <summary>True when <paramref name="secret"/> is the password <paramref name="hash"/> was made from (constant-time compare).</summary>
    public static bool Verify(string hash, string secret)
    {
        if (!TryParse(hash, out int iterations, out byte[] salt, out byte[] expected)) return false;
        byte[] key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(key, expected);
    }

    private static bool TryParse(string hash, out int iterations, out byte[] salt, out byte[] key)
    {
        iterations = 0;
        salt = key = [];
        if (!hash.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = hash[Prefix.Length..].Split('$');
        if (parts.Length != 3) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations is < MinIterations or > MaxIterations) return false;
        try
        {
            salt = FromB64(parts[1]);
            key = FromB64(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 8 && key.Length >= 16;
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=');

    private static byte[] FromB64(string s) => Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
}
