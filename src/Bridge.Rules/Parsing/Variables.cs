namespace Bridge.Rules.Parsing;

/// <summary>
/// ipvar / portvar / var values by name. Starts with the standard variables and the values Snort's
/// shipped snort.conf gives them, so a bare rule file loads; definitions in the files override.
/// </summary>
internal sealed class Variables
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Variables()
    {
        foreach (var (name, value) in ShippedDefaults) _values[name] = value;
    }

    public void Define(string name, string value) => _values[name] = value.Trim();

    public bool TryGet(string name, out string value) => _values.TryGetValue(name, out value!);

    /// <summary>Replaces <c>$NAME</c> and <c>$(NAME)</c> in free text (include paths).</summary>
    public string Substitute(string text)
    {
        if (!text.Contains('$', StringComparison.Ordinal)) return text;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '$')
            {
                sb.Append(text[i]);
                continue;
            }
            bool paren = i + 1 < text.Length && text[i + 1] == '(';
            int start = paren ? i + 2 : i + 1;
            int end = start;
            while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_')) end++;
            string name = text[start..end];
            sb.Append(TryGet(name, out string v) ? v : text[i..end]);
            i = paren && end < text.Length && text[end] == ')' ? end : end - 1;
        }
        return sb.ToString();
    }

    // snort.conf as shipped with Snort 2.9 (the community set's copy), section "Step #1".
    private static readonly (string, string)[] ShippedDefaults =
    [
        ("HOME_NET", "any"),
        ("EXTERNAL_NET", "any"),
        ("DNS_SERVERS", "$HOME_NET"),
        ("SMTP_SERVERS", "$HOME_NET"),
        ("HTTP_SERVERS", "$HOME_NET"),
        ("SQL_SERVERS", "$HOME_NET"),
        ("TELNET_SERVERS", "$HOME_NET"),
        ("SSH_SERVERS", "$HOME_NET"),
        ("FTP_SERVERS", "$HOME_NET"),
        ("SIP_SERVERS", "$HOME_NET"),
        ("HTTP_PORTS", "[36,80,81,82,83,84,85,86,87,88,89,90,311,383,443,555,591,593,623,631,664,801,808,818,901,972,1158,1220,1270,1414,1533,1581,1719,1720,1741,1801,1812,1830,1942,2231,2301,2375,2381,2578,2809,2869,2980,3000,3029,3037,3057,3128,3443,3702,4000,4343,4592,4848,5000,5054,5060,5061,5117,5222,5250,5416,5443,5450,5480,5555,5600,5814,5894,5984,5985,5986,6080,6173,6988,7000,7001,7005,7070,7071,7080,7144,7145,7180,7181,7510,7770,7777,7778,7779,8000,8001,8008,8014,8015,8020,8028,8040,8080,8081,8082,8085,8088,8090,8095,8118,8123,8161,8180,8181,8182,8222,8243,8280,8300,8333,8344,8393,8400,8443,8484,8500,8509,8694,8787,8800,8852,8880,8888,8899,8983,9000,9001,9002,9050,9060,9080,9090,9091,9111,9200,9201,9290,9443,9447,9700,9710,9788,9830,9850,9999,10000,10080,10100,10250,10255,10297,10443,11371,12601,13014,14592,15489,16000,16992,16993,16994,16995,17000,18081,19980,29991,30007,30018,30888,33300,34412,34443,34444,36099,40007,41080,44449,49152,49153,50000,50002,50452,51423,53331,54444,55252,55555,56712]"),
        ("SHELLCODE_PORTS", "!80"),
        ("ORACLE_PORTS", "1024:"),
        ("SSH_PORTS", "22"),
        ("FTP_PORTS", "[21,2100,3535]"),
        ("SIP_PORTS", "[5060,5061,5600]"),
        ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
        ("GTP_PORTS", "[2123,2152,3386]"),
        ("AIM_SERVERS", "[64.12.24.0/23,64.12.28.0/23,64.12.161.0/24,64.12.163.0/24,64.12.200.0/24,205.188.3.0/24,205.188.5.0/24,205.188.7.0/24,205.188.9.0/24,205.188.153.0/24,205.188.179.0/24,205.188.248.0/24]"),
        ("RULE_PATH", "."),
        ("SO_RULE_PATH", "."),
        ("PREPROC_RULE_PATH", "."),
    ];
}
