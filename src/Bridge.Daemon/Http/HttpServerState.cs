using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Bridge.Daemon.Runtime;

namespace Bridge.Daemon.Http;

/// <summary>
/// What the commands see of the HTTPS server of a runtime (one per <see cref="IBridgeRuntime"/>, as
/// <c>CaptureStore</c> does for captures): its debug feed, the certificate it serves and the port it
/// listens on. The server writes it; <c>debug http</c> and <c>show crypto ca certificates</c> read it.
/// </summary>
public sealed class HttpServerState
{
    private static readonly ConditionalWeakTable<IBridgeRuntime, HttpServerState> States = new();
    private long _refusedConnections;

    public static HttpServerState For(IBridgeRuntime runtime) => States.GetValue(runtime, _ => new HttpServerState());

    public HttpDebugFeed Debug { get; } = new();

    /// <summary>The certificate of the running server, or null while it is off.</summary>
    public X509Certificate2? Certificate { get; internal set; }

    /// <summary>Where the certificate came from: the configured PEM files or the generated one in the state directory.</summary>
    public string? CertificateSource { get; internal set; }

    /// <summary>The port the server listens on, or null while it is off.</summary>
    public int? ListeningPort { get; internal set; }

    /// <summary>Connections closed before TLS because no <c>http</c> line admitted their source.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    internal void CountRefusal() => Interlocked.Increment(ref _refusedConnections);
}
