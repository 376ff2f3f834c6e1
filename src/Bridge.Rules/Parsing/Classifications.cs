using System.Globalization;

namespace Bridge.Rules.Parsing;

/// <summary>
/// classtype → (description, priority). Starts from the classes Snort ships in classification.config
/// so rules load without one; a <c>config classification:</c> line or file overrides.
/// </summary>
internal sealed class Classifications
{
    private readonly Dictionary<string, (string Text, int Priority)> _classes = new(StringComparer.Ordinal);

    public Classifications()
    {
        foreach (var (name, text, prio) in Shipped) _classes[name] = (text, prio);
    }

    public bool TryGet(string name, out string text, out int priority)
    {
        if (_classes.TryGetValue(name, out var c))
        {
            text = c.Text;
            priority = c.Priority;
            return true;
        }
        text = "";
        priority = 0;
        return false;
    }

    /// <summary>Reads the value of one <c>config classification: name,description,priority</c> line.</summary>
    public bool Define(string value)
    {
        var parts = value.Split(',');
        if (parts.Length < 3) return false;
        if (!int.TryParse(parts[^1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int prio)) return false;
        string text = string.Join(',', parts[1..^1]).Trim();
        _classes[parts[0].Trim()] = (text, prio);
        return true;
    }

    // The default classification.config distributed with Snort 2.9 and Snort 3.
    private static readonly (string, string, int)[] Shipped =
    [
        ("not-suspicious", "Not Suspicious Traffic", 3),
        ("unknown", "Unknown Traffic", 3),
        ("bad-unknown", "Potentially Bad Traffic", 2),
        ("attempted-recon", "Attempted Information Leak", 2),
        ("successful-recon-limited", "Information Leak", 2),
        ("successful-recon-largescale", "Large Scale Information Leak", 2),
        ("attempted-dos", "Attempted Denial of Service", 2),
        ("successful-dos", "Denial of Service", 2),
        ("attempted-user", "Attempted User Privilege Gain", 1),
        ("unsuccessful-user", "Unsuccessful User Privilege Gain", 1),
        ("successful-user", "Successful User Privilege Gain", 1),
        ("attempted-admin", "Attempted Administrator Privilege Gain", 1),
        ("successful-admin", "Successful Administrator Privilege Gain", 1),
        ("rpc-portmap-decode", "Decode of an RPC Query", 2),
        ("shellcode-detect", "Executable code was detected", 1),
        ("string-detect", "A suspicious string was detected", 3),
        ("suspicious-filename-detect", "A suspicious filename was detected", 2),
        ("suspicious-login", "An attempted login using a suspicious username was detected", 2),
        ("system-call-detect", "A system call was detected", 2),
        ("tcp-connection", "A TCP connection was detected", 4),
        ("trojan-activity", "A Network Trojan was detected", 1),
        ("unusual-client-port-connection", "A client was using an unusual port", 2),
        ("network-scan", "Detection of a Network Scan", 3),
        ("denial-of-service", "Detection of a Denial of Service Attack", 2),
        ("non-standard-protocol", "Detection of a non-standard protocol or event", 2),
        ("protocol-command-decode", "Generic Protocol Command Decode", 3),
        ("web-application-activity", "access to a potentially vulnerable web application", 2),
        ("web-application-attack", "Web Application Attack", 1),
        ("misc-activity", "Misc activity", 3),
        ("misc-attack", "Misc Attack", 2),
        ("icmp-event", "Generic ICMP event", 3),
        ("inappropriate-content", "Inappropriate Content was Detected", 1),
        ("policy-violation", "Potential Corporate Privacy Violation", 1),
        ("default-login-attempt", "Attempt to login by a default username and password", 2),
        ("sdf", "Senstive Data", 2),
        ("file-format", "Known malicious file or file based exploit", 1),
        ("malware-cnc", "Known malware command and control traffic", 1),
        ("client-side-exploit", "Known client side exploit attempt", 1),
    ];
}
