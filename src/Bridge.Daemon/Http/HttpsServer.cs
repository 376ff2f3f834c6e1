using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Bridge.Daemon.Commands;
using Bridge.Daemon.Metrics;
using Bridge.Daemon.Runtime;
using Bridge.Packets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Bridge.Daemon.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Daemon.Http;

/// <summary>
/// The HTTPS server (issue 8): off until <c>http server enable [PORT]</c>, then Kestrel on the host's
/// own network stack (the bridged ports carry no IP). Like <c>MetricsServer</c> it follows the
/// running config: a changed port restarts the listener, <c>no http server enable</c> stops it. The
/// allow-list and the users are read from the running config at each connection and request, so
/// they change without a restart.
/// <list type="bullet">
/// <item>A connection whose source no <c>http NET MASK IFNAME</c> line admits is closed before the
/// TLS handshake. The listener sits on the host stack, so every line applies to every connection
/// whatever its IFNAME (the nameif is kept for FTD compatibility and shown in <c>debug http</c>;
/// <c>management</c> names the host stack itself).</item>
/// <item>TLS 1.2 and 1.3 only; the certificate comes from <see cref="HttpsCertificate"/>.</item>
/// <item>HTTP Basic against the <c>username</c> lines; <see cref="LoginGuard"/> locks a source out
/// after repeated failures (<c>Bridge:Http:LockoutFailures</c>, default 5;
/// <c>Bridge:Http:LockoutSeconds</c>, default 300).</item>
/// </list>
/// Routes are in <see cref="HttpRoutes"/>.
/// </summary>
public sealed class HttpsServer : ConfigFollowingListener
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);
    internal const string SessionKey = "bridge.session";

    private readonly IBridgeRuntime _runtime;
    private readonly CommandDispatcher _dispatcher;
    private readonly ILogger<HttpsServer> _log;
    private readonly BridgeMetrics? _metrics;
    private readonly HttpServerState _state;
    private readonly string _stateDirectory;
    private readonly IPAddress? _listenAddress;
    private readonly string? _certificatePem;
    private readonly string? _keyPem;
    private readonly BasicAuthenticator _authenticator = new();

    private int? _serving;
    private DateTime _retryAt;

    public HttpsServer(IBridgeRuntime runtime, CommandDispatcher dispatcher, IConfiguration configuration, ILogger<HttpsServer> log, BridgeMetrics? metrics = null)
    {
        _runtime = runtime;
        _dispatcher = dispatcher;
        _log = log;
        _metrics = metrics;
        _state = HttpServerState.For(runtime);
        var http = configuration.GetSection("Bridge:Http");
        _stateDirectory = HostPaths.From(configuration).StateDirectory;
        string? listen = http["Listen"];
        _listenAddress = string.IsNullOrEmpty(listen) ? null : IPAddress.Parse(listen);
        _certificatePem = http["Certificate"];
        _keyPem = http["Key"];
        Guard = new LoginGuard(http.GetValue("LockoutFailures", 5), TimeSpan.FromSeconds(http.GetValue("LockoutSeconds", 300)));
    }

    public LoginGuard Guard { get; }

    protected override async Task FollowConfigAsync(CancellationToken cancel)
    {
        int? wanted = _runtime.Snapshot.Config.Http.ServerPort;
        if (wanted == _serving && (App is not null || wanted is null))
            return;
        if (App is not null)
            await StopListenerAsync().ConfigureAwait(false);
        _serving = wanted;
        if (wanted is not { } port || DateTime.UtcNow < _retryAt)
            return;
        _state.Debug.Write(HttpDebugFeed.Basic, "http_enable: Enabling HTTP server");
        WebApplication? app = null;
        try
        {
            var (certificate, source) = HttpsCertificate.Load(_certificatePem, _keyPem, _stateDirectory, _runtime.Snapshot.Config.Hostname);
            app = Build(port, certificate);
            await app.StartAsync(cancel).ConfigureAwait(false);
            App = app;
            _state.Certificate = certificate;
            _state.CertificateSource = source;
            _state.ListeningPort = port;
            _state.Debug.Write(HttpDebugFeed.Basic, $"HTTP server starting on port {port}.");
            _log.LogInformation("HTTPS server on port {Port}, certificate {Source} (SHA-256 {Fingerprint})", port, source, HttpsCertificate.Fingerprint(certificate));
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            if (app is not null) await app.DisposeAsync().ConfigureAwait(false);
            _retryAt = DateTime.UtcNow + RetryInterval;
            _serving = null;
            _state.Debug.Write(HttpDebugFeed.Basic, $"HTTP server cannot start on port {port}: {e.Message}");
            _log.LogError("Cannot start the HTTPS server on port {Port}: {Reason}; retrying in {Retry}", port, e.Message, RetryInterval);
        }
    }

    private WebApplication Build(int port, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = HttpRoutes.MaxCommandBody;
            Action<ListenOptions> listen = options =>
            {
                // Before UseHttps: a refused source never gets a TLS handshake.
                options.Use(next => connection => Admit(connection) ? next(connection) : Task.CompletedTask);
                options.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                });
                options.Use(next => connection =>
                {
                    _state.Debug.Write(HttpDebugFeed.Connections, () =>
                        $"HTTP: {connection.RemoteEndPoint} TLS {connection.Features.Get<ITlsHandshakeFeature>()?.Protocol} established");
                    return next(connection);
                });
            };
            if (_listenAddress is null) k.ListenAnyIP(port, listen);
            else k.Listen(_listenAddress, port, listen);
        });
        var app = builder.Build();
        app.Use(AuthenticateAsync);
        new HttpRoutes(_runtime, _dispatcher, _state, _metrics).Map(app);
        return app;
    }

    private static IPAddress SourceOf(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private bool Admit(ConnectionContext connection)
    {
        if (connection.RemoteEndPoint is not IPEndPoint remote) return false;
        var source = SourceOf(remote.Address);
        var entry = _runtime.Snapshot.Config.Http.Admit(IpAddr.From(source));
        if (entry is null)
        {
            _state.CountRefusal();
            _metrics?.HttpRefusedConnection();
            _state.Debug.Write(HttpDebugFeed.Basic, $"HTTP: connection from {source}:{remote.Port} refused: no 'http' line permits it");
            return false;
        }
        _state.Debug.Write(HttpDebugFeed.Connections, () => $"HTTP: connection from {source}:{remote.Port} permitted by '{entry.Text}'");
        return true;
    }

    private async Task AuthenticateAsync(HttpContext http, RequestDelegate next)
    {
        var source = SourceOf(http.Connection.RemoteIpAddress);
        string what = $"{source}:{http.Connection.RemotePort} {http.Request.Method} {http.Request.Path}";
        var locked = Guard.LockedFor(source);
        if (locked > TimeSpan.Zero)
        {
            _metrics?.HttpLogin("locked-out");
            int seconds = (int)Math.Ceiling(locked.TotalSeconds);
            _state.Debug.Write(HttpDebugFeed.Basic, $"HTTP: {what} refused: source locked out for {seconds} s after failed logins");
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await http.Response.WriteAsync($"Too many failed logins from {source}; try again in {seconds} s\n", http.RequestAborted).ConfigureAwait(false);
            return;
        }
        if (BasicAuthenticator.ReadHeader(http.Request.Headers.Authorization) is not { } credentials)
        {
            _state.Debug.Write(HttpDebugFeed.Basic, $"HTTP: {what} -> 401 (no credentials)");
            await ChallengeAsync(http).ConfigureAwait(false);
            return;
        }
        var (account, remembered) = _authenticator.Check(_runtime.Snapshot.Config, credentials.User, credentials.Password);
        if (account is null)
        {
            var (failures, lockedNow) = Guard.Fail(source);
            _metrics?.HttpLogin("failed");
            _state.Debug.Write(HttpDebugFeed.Basic, lockedNow
                ? $"HTTP: {what} user '{credentials.User}' authentication failed ({failures} of {Guard.MaxFailures}); {source} locked out for {Guard.LockoutTime.TotalSeconds:0} s"
                : $"HTTP: {what} user '{credentials.User}' authentication failed ({failures} of {Guard.MaxFailures})");
            if (lockedNow) _log.LogWarning("HTTPS: {Source} locked out after {Failures} failed logins", source, failures);
            await ChallengeAsync(http).ConfigureAwait(false);
            return;
        }
        Guard.Succeed(source);
        if (!remembered)
        {
            _metrics?.HttpLogin("ok");
            _state.Debug.Write(HttpDebugFeed.Basic, $"HTTP: {source} user '{account.Name}' logged in (privilege {account.Privilege})");
        }
        http.Items[SessionKey] = new AdminSession(account.Name, BasicAuthenticator.RoleOf(account), web: true);
        if (_state.Debug.Level >= HttpDebugFeed.Headers)
        {
            foreach (var (name, value) in http.Request.Headers)
            {
                if (!string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
                    _state.Debug.Write(HttpDebugFeed.Headers, $"HTTP: {source}:{http.Connection.RemotePort} {name}: {value}");
            }
        }
        await next(http).ConfigureAwait(false);
        _state.Debug.Write(HttpDebugFeed.Basic, () => $"HTTP: {what} user '{account.Name}' -> {http.Response.StatusCode}");
    }

    private static Task ChallengeAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"Bridge\", charset=\"UTF-8\"";
        return http.Response.WriteAsync("Authentication required\n", http.RequestAborted);
    }

    protected override void OnStopped()
    {
        _state.Certificate = null;
        _state.CertificateSource = null;
        _state.ListeningPort = null;
        _state.Debug.Write(HttpDebugFeed.Basic, "HTTP server stopped.");
    }
}
