namespace Bridge.Daemon.Export;

/// <summary>The operator's words for a failed file operation.</summary>
public static class IoErrors
{
    /// <summary>
    /// The system's reason without the path .NET appends (<c>No space left on device : '/x'</c>
    /// becomes <c>No space left on device</c>): the error line names the file already.
    /// </summary>
    public static string Reason(Exception e)
    {
        string message = e.Message;
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }
}
