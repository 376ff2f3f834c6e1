using System.Text.Json.Nodes;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Http;

namespace Bridge.Daemon.Commands.Http;

/// <summary><c>show crypto ca certificates</c>: the HTTPS server's certificate (subject, validity, SHA-256 fingerprint).</summary>
public sealed class ShowCryptoCommand : ICommandModule
{
    public void Register(GrammarNode root) =>
        CommonWords.Show(root).Keyword("crypto", "Show crypto information")
            .Keyword("ca", "Show certificate authority information")
            .Keyword("certificates", "Show the certificate of the HTTPS server").Runs(Run, Privilege.Monitor);

    private static CommandResult Run(CommandContext ctx)
    {
        var state = HttpServerState.For(ctx.Runtime);
        if (state.Certificate is not { } cert)
        {
            return CommandResult.Ok("No certificate in use: the HTTPS server is not running ('http server enable [PORT]').\n",
                new JsonObject { ["certificates"] = new JsonArray() });
        }
        var json = new JsonObject
        {
            ["subject"] = cert.Subject,
            ["issuer"] = cert.Issuer,
            ["notBefore"] = cert.NotBefore.ToUniversalTime().ToString("o"),
            ["notAfter"] = cert.NotAfter.ToUniversalTime().ToString("o"),
            ["sha256"] = HttpsCertificate.Fingerprint(cert),
            ["source"] = state.CertificateSource,
            ["port"] = state.ListeningPort,
        };
        return CommandResult.Ok(HttpsCertificate.Describe(cert, state.CertificateSource ?? ""), new JsonObject { ["certificates"] = new JsonArray(json) });
    }
}
