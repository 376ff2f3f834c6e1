namespace Bridge.Capture.Tcpdump;

/// <summary>
/// Port and protocol names as tcpdump prints them without <c>-n</c>: the first entry of
/// <c>/etc/services</c> for a TCP or UDP port, the name of <c>/etc/protocols</c> for an IP
/// protocol. Read once from local files; no lookup ever leaves the machine (host names are
/// never resolved: addresses always print as numbers).
/// </summary>
public sealed class ServiceNames
{
    private readonly Dictionary<int, string> _tcp = new();
    private readonly Dictionary<int, string> _udp = new();
    private readonly Dictionary<int, string> _protocols = new();

    /// <summary>Names from the system's files, read once.</summary>
    public static ServiceNames System => LazySystem.Value;

    private static readonly Lazy<ServiceNames> LazySystem = new(() => Load("/etc/services", "/etc/protocols"));

    public static ServiceNames Load(string servicesPath, string protocolsPath)
    {
        var names = new ServiceNames();
        if (File.Exists(servicesPath))
        {
            foreach (var line in File.ReadLines(servicesPath))
            {
                var fields = Fields(line);
                if (fields.Length < 2) continue;
                int slash = fields[1].IndexOf('/');
                if (slash <= 0 || !int.TryParse(fields[1].AsSpan(0, slash), out int port)) continue;
                var table = fields[1].AsSpan(slash + 1) switch
                {
                    "tcp" => names._tcp,
                    "udp" => names._udp,
                    _ => null,
                };
                table?.TryAdd(port, fields[0]);
            }
        }
        if (File.Exists(protocolsPath))
        {
            foreach (var line in File.ReadLines(protocolsPath))
            {
                var fields = Fields(line);
                if (fields.Length >= 2 && int.TryParse(fields[1], out int number)) names._protocols.TryAdd(number, fields[0]);
            }
        }
        return names;
    }

    public string? Tcp(int port) => _tcp.GetValueOrDefault(port);

    public string? Udp(int port) => _udp.GetValueOrDefault(port);

    /// <summary>
    /// The protocol's name: /etc/protocols, then the IANA keywords tcpdump builds in for the
    /// experimentation numbers the file usually leaves out.
    /// </summary>
    public string? Protocol(int number) => _protocols.GetValueOrDefault(number) ?? number switch
    {
        253 => "exptest-253",
        254 => "exptest-254",
        _ => null,
    };

    private static string[] Fields(string line)
    {
        int hash = line.IndexOf('#');
        if (hash >= 0) line = line.Substring(0, hash);
        return line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }
}
