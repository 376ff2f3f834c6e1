using System.Text;

namespace Bridge.Pipeline.Tests.Config;

/// <summary>Builds random but valid configs from the whole grammar, for round-trip testing.</summary>
internal static class ConfigGenerator
{
    private static readonly string[] Ops = ["eq", "neq", "lt", "gt"];
    private static readonly string[] PortWords = ["www", "https", "ssh", "domain", "1024", "8080", "telnet", "ftp"];
    private static readonly string[] Actions = ["permit", "deny"];

    public static string Generate(Random r)
    {
        var sb = new StringBuilder();
        sb.Append("hostname h").Append(r.Next(1000)).Append('\n');
        int ifCount = r.Next(1, 4);
        var nameIfs = new List<string>();
        for (int i = 0; i < ifCount; i++)
        {
            bool sub = r.Next(2) == 0;
            int vlan = 100 + i;
            sb.Append("interface eth").Append(i).Append(sub ? $".{vlan}" : "").Append('\n');
            if (sub || r.Next(2) == 0)
            {
                sb.Append(" vlan ").Append(vlan).Append('\n');
            }
            sb.Append(" nameif IF").Append(i).Append('\n');
            nameIfs.Add("IF" + i);
            if (r.Next(2) == 0)
            {
                sb.Append(" bridge-group ").Append(r.Next(1, 5)).Append('\n');
            }
            if (r.Next(3) == 0)
            {
                sb.Append(" mtu ").Append(r.Next(64, 9217)).Append('\n');
            }
            if (r.Next(3) == 0)
            {
                sb.Append(" port-driver ").Append(r.Next(2) == 0 ? "pcap" : "afpacket").Append('\n');
            }
            if (r.Next(4) == 0)
            {
                sb.Append(" shutdown\n");
            }
        }
        if (r.Next(3) == 0) sb.Append("snort rules /etc/bridge/rules/r").Append(r.Next(100)).Append(".rules\n");
        if (r.Next(4) == 0) sb.Append("snort mode inline-tap\n");
        switch (r.Next(3))
        {
            case 0: sb.Append("no metrics listen\n"); break;
            case 1: sb.Append("metrics listen [::1]:").Append(r.Next(1, 65536)).Append('\n'); break;
        }
        sb.Append("object network O1\n host 10.0.").Append(r.Next(256)).Append('.').Append(r.Next(256)).Append('\n');
        sb.Append("object network O2\n subnet 10.").Append(r.Next(256)).Append(".0.0 255.255.0.0\n");
        sb.Append("object network O3\n range 10.9.0.1 10.9.0.").Append(r.Next(2, 255)).Append('\n');
        sb.Append("object service S1\n service tcp destination ").Append(Op(r)).Append('\n');
        sb.Append("object-group network G1\n network-object host 172.16.0.").Append(r.Next(256)).Append("\n network-object object O3\n");
        sb.Append("object-group network G2\n group-object G1\n network-object 192.168.").Append(r.Next(256)).Append(".0 255.255.255.0\n");
        sb.Append("object-group service P1 ").Append(r.Next(3) switch { 0 => "tcp", 1 => "udp", _ => "tcp-udp" }).Append("\n port-object eq ").Append(r.Next(1, 1000)).Append('\n');
        sb.Append("object-group service V1\n service-object icmp echo\n service-object object S1\n");

        int aces = r.Next(1, 12);
        for (int i = 0; i < aces; i++)
        {
            sb.Append(Ace(r, "L" + r.Next(2))).Append('\n');
        }
        sb.Append("access-list E ethertype ").Append(Actions[r.Next(2)]).Append(' ')
            .Append(r.Next(4) switch { 0 => "bpdu", 1 => "ipx", 2 => "any", _ => "0x" + r.Next(0x600, 0x10000).ToString("x4") }).Append('\n');
        sb.Append("access-group L0 global\n");
        sb.Append("access-group E in interface ").Append(nameIfs[r.Next(nameIfs.Count)]).Append('\n');
        sb.Append("timeout conn ").Append(r.Next(0, 5)).Append(':').Append(r.Next(60).ToString("00")).Append(":00\n");
        sb.Append("mac-address-table aging-time ").Append(r.Next(5, 721)).Append('\n');
        // L0 is bound globally, so it must exist even when no generated ACE landed in it.
        return "access-list L0 remark generated\n" + sb;
    }

    private static string Op(Random r) => r.Next(5) == 0
        ? $"range {r.Next(1, 100)} {r.Next(100, 65536)}"
        : $"{Ops[r.Next(Ops.Length)]} {PortWords[r.Next(PortWords.Length)]}";

    private static string Address(Random r) => r.Next(8) switch
    {
        0 => "any",
        1 => "any4",
        2 => "host 10.1.2." + r.Next(256),
        3 => $"10.{r.Next(256)}.0.0 255.255.0.0",
        4 => "object O" + r.Next(1, 4),
        5 => "object-group G" + r.Next(1, 3),
        6 => "any",
        _ => "host 192.0.2." + r.Next(256),
    };

    private static string Ace(Random r, string list)
    {
        var sb = new StringBuilder("access-list ").Append(list);
        if (r.Next(6) == 0)
        {
            return sb.Append(" remark rule-id ").Append(r.Next(1, 99)).Append(": note ").Append(r.Next()).ToString();
        }
        bool advanced = r.Next(2) == 0;
        sb.Append(advanced ? " advanced " : " extended ");
        sb.Append(advanced && r.Next(5) == 0 ? "trust" : Actions[r.Next(2)]).Append(' ');
        switch (r.Next(6))
        {
            case 0:
                sb.Append("ip ").Append(Address(r)).Append(' ').Append(Address(r));
                break;
            case 1:
                sb.Append("tcp ").Append(Address(r));
                if (r.Next(2) == 0)
                {
                    sb.Append(' ').Append(Op(r));
                }
                sb.Append(' ').Append(Address(r));
                if (r.Next(2) == 0)
                {
                    sb.Append(' ').Append(Op(r));
                }
                break;
            case 2:
                sb.Append("icmp ").Append(Address(r)).Append(' ').Append(Address(r));
                if (r.Next(2) == 0)
                {
                    sb.Append(r.Next(2) == 0 ? " echo" : " time-exceeded 1");
                }
                break;
            case 3:
                sb.Append("object-group V1 ").Append(Address(r)).Append(' ').Append(Address(r));
                break;
            case 4:
                sb.Append("object S1 ").Append(Address(r)).Append(' ').Append(Address(r));
                break;
            default:
                sb.Append(r.Next(2) == 0 ? "gre" : "esp").Append(" any6 2001:db8:").Append(r.Next(1, 9999).ToString("x")).Append("::/48");
                break;
        }
        if (r.Next(2) == 0)
        {
            sb.Append(" rule-id ").Append(r.Next(1, int.MaxValue));
        }
        if (r.Next(3) == 0)
        {
            sb.Append(r.Next(3) switch { 0 => " event-log flow-start", 1 => " event-log flow-end", _ => " event-log both" });
        }
        if (r.Next(3) == 0)
        {
            sb.Append(r.Next(3) switch { 0 => " log", 1 => " log debugging", _ => " log 3 interval 77" });
        }
        if (r.Next(5) == 0)
        {
            sb.Append(" inactive");
        }
        return sb.ToString();
    }
}
