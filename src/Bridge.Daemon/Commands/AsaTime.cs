using System.Globalization;

namespace Bridge.Daemon.Commands;

/// <summary>FTD's way of writing a moment in show output: <c>10:43:33 UTC Jan 5 2021</c>.</summary>
public static class AsaTime
{
    public static string Format(DateTimeOffset when) => when.UtcDateTime.ToString("HH:mm:ss 'UTC' MMM d yyyy", CultureInfo.InvariantCulture);
}
