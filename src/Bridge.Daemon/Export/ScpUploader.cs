using Renci.SshNet;
using Renci.SshNet.Common;

namespace Bridge.Daemon.Export;

/// <summary>A host key the known-hosts file does not vouch for, as the user is shown it.</summary>
public sealed record HostKeyOffer(string Host, int Port, byte[] Blob, HostKeyStatus Status)
{
    public string KeyType => KnownHosts.KeyType(Blob);

    public string Fingerprint => KnownHosts.Fingerprint(Blob);
}

/// <summary>An SCP copy that did not happen: the server, its key or the login was refused. Never holds the password.</summary>
public sealed class ScpException(string message) : Exception(message);

/// <summary>
/// SCP uploads through SSH.NET with the server's key checked against <see cref="KnownHosts"/>:
/// a recorded key lets the copy go on; an unknown one is put to the caller's
/// <c>confirmUnknownHost</c> (yes records it, no aborts); a changed one is refused outright.
/// SSH.NET asks for trust inside its key exchange, which must not wait on a person, so an unknown
/// key ends the first connection and, once accepted, a second connection finds it recorded.
/// </summary>
public sealed class ScpUploader(KnownHosts knownHosts)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Uploads <paramref name="source"/> to <paramref name="remotePath"/>; authenticates with the password when one is given, else with <paramref name="identityFiles"/>.</summary>
    public async Task<long> UploadAsync(
        string host, int port, string user, string? password, IReadOnlyList<string> identityFiles, string remotePath, Stream source,
        Func<HostKeyOffer, Task<bool>> confirmUnknownHost, TransferProgress? progress, CancellationToken cancellation)
    {
        using var client = await ConnectAsync(host, port, user, password, identityFiles, confirmUnknownHost, cancellation).ConfigureAwait(false);
        long reported = 0;
        client.Uploading += (_, e) =>
        {
            progress?.Add(e.Uploaded - reported);
            reported = e.Uploaded;
        };
        // ScpClient.Upload has no cancellation: disconnecting is what stops it.
        using var stop = cancellation.Register(client.Disconnect);
        try
        {
            await Task.Run(() => client.Upload(source, remotePath), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            cancellation.ThrowIfCancellationRequested();
            throw new ScpException(ExportUrl.Scrub(e.Message, password));
        }
        return reported;
    }

    private async Task<ScpClient> ConnectAsync(
        string host, int port, string user, string? password, IReadOnlyList<string> identityFiles,
        Func<HostKeyOffer, Task<bool>> confirmUnknownHost, CancellationToken cancellation)
    {
        for (int attempt = 0; ; attempt++)
        {
            HostKeyOffer? refused = null;
            var client = new ScpClient(Connection(host, port, user, password, identityFiles), RemotePathTransformation.ShellQuote);
            client.HostKeyReceived += (_, e) =>
            {
                var status = knownHosts.Check(host, port, e.HostKey);
                e.CanTrust = status == HostKeyStatus.Trusted;
                if (!e.CanTrust) refused = new HostKeyOffer(host, port, e.HostKey, status);
            };
            try
            {
                await client.ConnectAsync(cancellation).ConfigureAwait(false);
                return client;
            }
            catch (Exception e) when (e is SshException or System.Net.Sockets.SocketException or TimeoutException)
            {
                client.Dispose();
                cancellation.ThrowIfCancellationRequested();
                if (refused is null) throw new ScpException(ExportUrl.Scrub(e.Message, password));
                if (refused.Status == HostKeyStatus.Changed || attempt > 0) throw new ScpException(ChangedKeyWarning(refused, knownHosts.Path));
                if (!await confirmUnknownHost(refused).ConfigureAwait(false)) throw new ScpException("Host key verification failed.");
                knownHosts.Add(host, port, refused.Blob);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
    }

    private ConnectionInfo Connection(string host, int port, string user, string? password, IReadOnlyList<string> identityFiles)
    {
        var methods = new List<AuthenticationMethod>();
        if (!string.IsNullOrEmpty(password))
        {
            methods.Add(new PasswordAuthenticationMethod(user, password));
        }
        else
        {
            var keys = identityFiles.Where(File.Exists).Select(f => (IPrivateKeySource)new PrivateKeyFile(f)).ToArray();
            if (keys.Length == 0) throw new ScpException("no password given and no SSH identity in the state directory");
            methods.Add(new PrivateKeyAuthenticationMethod(user, keys));
        }
        return new ConnectionInfo(host, port, user, [.. methods]) { Timeout = Timeout };
    }

    /// <summary>OpenSSH's warning for a key that differs from the recorded one, in short.</summary>
    public static string ChangedKeyWarning(HostKeyOffer offer, string knownHostsPath) =>
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n" +
        "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n" +
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n" +
        "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n" +
        $"The {KnownHosts.KeyFamily(offer.KeyType)} key sent by '{KnownHosts.EntryName(offer.Host, offer.Port)}' is not the one recorded in {knownHostsPath}.\n" +
        $"Its fingerprint is <{offer.Fingerprint}>(SHA256).\n" +
        "Remove the old entry from that file if the change is expected.\n" +
        "Host key verification failed.";
}
