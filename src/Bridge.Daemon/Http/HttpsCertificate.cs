using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Bridge.Daemon.Http;

/// <summary>
/// The server's certificate: the configured PEM files (<c>Bridge:Http:Certificate</c> and
/// <c>Bridge:Http:Key</c>) or else a self-signed one generated on first start and kept in the state
/// directory (<c>https-cert.pem</c>, <c>https-key.pem</c> readable by the daemon only), so that its
/// fingerprint stays the same across restarts and can be pinned by clients.
/// </summary>
public static class HttpsCertificate
{
    public const string CertificateFile = "https-cert.pem";
    public const string KeyFile = "https-key.pem";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(5 * 365);

    /// <summary>The certificate and a description of where it came from.</summary>
    public static (X509Certificate2 Certificate, string Source) Load(string? certificatePem, string? keyPem, string stateDirectory, string hostname)
    {
        if (!string.IsNullOrEmpty(certificatePem))
        {
            return (X509Certificate2.CreateFromPemFile(certificatePem, string.IsNullOrEmpty(keyPem) ? null : keyPem), certificatePem);
        }
        string cert = Path.Combine(stateDirectory, CertificateFile);
        string key = Path.Combine(stateDirectory, KeyFile);
        if (!File.Exists(cert) || !File.Exists(key)) Generate(cert, key, hostname);
        return (X509Certificate2.CreateFromPemFile(cert, key), cert + " (self-signed)");
    }

    /// <summary>A self-signed ECDSA P-256 server certificate for <paramref name="hostname"/>, localhost and the loopback addresses.</summary>
    public static void Generate(string certificatePath, string keyPath, string hostname)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certificatePath))!);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + hostname + ", O=Bridge"), ecdsa, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        if (hostname != "localhost") names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);
        // The key is written first and only then the certificate: a crash in between leaves no
        // certificate, so the next start generates a fresh pair instead of pairing mismatched halves.
        WritePrivate(keyPath, ecdsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, cert.ExportCertificatePem() + "\n");
    }

    private static void WritePrivate(string path, string pem)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var fs = new FileStream(path, options);
        fs.Write(Encoding.ASCII.GetBytes(pem + "\n"));
    }

    /// <summary>SHA-256 of the DER certificate as colon-separated hex pairs (what browsers show).</summary>
    public static string Fingerprint(X509Certificate2 cert) =>
        string.Join(':', Convert.ToHexString(SHA256.HashData(cert.RawData)).Chunk(2).Select(c => new string(c)));

    /// <summary>The certificate as <c>show crypto ca certificates</c> prints it (ASA layout, plus the SHA-256 fingerprint).</summary>
    public static string Describe(X509Certificate2 cert, string source)
    {
        var sb = new StringBuilder();
        sb.Append("Certificate\n");
        sb.Append("  Status: ").Append(DateTime.UtcNow < cert.NotAfter.ToUniversalTime() ? "Available" : "Expired").Append('\n');
        sb.Append("  Certificate Serial Number: ").Append(cert.SerialNumber.ToLowerInvariant()).Append('\n');
        sb.Append("  Certificate Usage: General Purpose\n");
        sb.Append("  Public Key Type: ").Append(KeyType(cert)).Append('\n');
        sb.Append("  Signature Algorithm: ").Append(cert.SignatureAlgorithm.FriendlyName ?? cert.SignatureAlgorithm.Value).Append('\n');
        sb.Append("  Issuer Name:\n");
        foreach (var part in Parts(cert.IssuerName)) sb.Append("    ").Append(part).Append('\n');
        sb.Append("  Subject Name:\n");
        foreach (var part in Parts(cert.SubjectName)) sb.Append("    ").Append(part).Append('\n');
        sb.Append("  Validity Date:\n");
        sb.Append("    start date: ").Append(AsaTime(cert.NotBefore)).Append('\n');
        sb.Append("    end   date: ").Append(AsaTime(cert.NotAfter)).Append('\n');
        sb.Append("  SHA-256 Fingerprint: ").Append(Fingerprint(cert)).Append('\n');
        sb.Append("  Storage: ").Append(source).Append('\n');
        sb.Append("  Associated Trustpoints: http-server\n");
        return sb.ToString();
    }

    private static IEnumerable<string> Parts(X500DistinguishedName name) =>
        name.EnumerateRelativeDistinguishedNames().Reverse().Select(r =>
            (r.GetSingleElementType().FriendlyName ?? r.GetSingleElementType().Value ?? "?").ToLowerInvariant() + "=" + r.GetSingleElementValue());

    private static string KeyType(X509Certificate2 cert)
    {
        using var ec = cert.GetECDsaPublicKey();
        if (ec is not null) return $"ECDSA ({ec.KeySize.ToString(CultureInfo.InvariantCulture)} bits)";
        using var rsa = cert.GetRSAPublicKey();
        return rsa is not null ? $"RSA ({rsa.KeySize.ToString(CultureInfo.InvariantCulture)} bits)" : cert.PublicKey.Oid.FriendlyName ?? "unknown";
    }

    // FTD's form: 10:43:33 UTC Jan 5 2021.
    private static string AsaTime(DateTime t) => Commands.AsaTime.Format(t.ToUniversalTime());
}
