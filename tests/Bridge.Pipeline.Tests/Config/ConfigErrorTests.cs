using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Config;

public class ConfigErrorTests
{
    private const string Base = "interface eth1\n nameif inside\nobject network H\n host 10.0.0.1\nobject-group service P udp\n port-object eq 53\n";

    // Each case: config text appended to Base (which is 6 lines), expected line, column and a
    // fragment of the reason. Columns point at the first character of the offending token.
    [Theory]
    [InlineData("frobnicate 1", 7, 1, "unknown command 'frobnicate'")]
    [InlineData("hostname x\n nameif x", 8, 2, "indented 'nameif' outside")]
    [InlineData("interface eth2.10\n nameif b", 7, 11, "needs a 'vlan' sub-command")]
    [InlineData("interface eth2\n vlan 4095", 8, 7, "vlan must be a number from 1 to 4094")]
    [InlineData("interface eth2\n mtu 10000", 8, 6, "mtu must be a number from 64 to 9216")]
    [InlineData("interface eth2\n nameif inside", 8, 9, "nameif 'inside' is already used by interface eth1")]
    [InlineData("interface eth1.7\n vlan 7\ninterface eth1.8\n vlan 7", 10, 7, "device eth1 vlan 7 is already used")]
    [InlineData("interface eth2\n port-driver dpdk", 8, 14, "port-driver must be afpacket or pcap")]
    [InlineData("interface eth1.7\n vlan 7\n port-driver pcap", 9, 14, "device eth1 uses port-driver afpacket on interface eth1")]
    [InlineData("snort mode passive", 7, 12, "snort mode must be inline or inline-tap")]
    [InlineData("snort rulez x", 7, 7, "unknown snort setting 'rulez'")]
    [InlineData("metrics listen localhost:9477", 7, 16, "metrics listen needs ADDRESS:PORT")]
    [InlineData("metrics listen 127.0.0.1:70000", 7, 16, "metrics listen needs ADDRESS:PORT")]
    [InlineData("no metrics", 7, 11, "missing 'listen'")]
    [InlineData("interface eth2\n speed 100", 8, 2, "unknown interface sub-command 'speed'")]
    [InlineData("access-list A extended permit ip any object X", 7, 45, "network object 'X' is not defined")]
    [InlineData("access-list A extended permit ip 10.0.0.1 255.255.255.0 any", 7, 34, "do not pair")]
    [InlineData("access-list A extended permit ip 10.0.0.0 255.0.255.0 any", 7, 43, "not contiguous")]
    [InlineData("access-list A extended trust ip any any", 7, 24, "'trust' is only valid in an 'advanced'")]
    [InlineData("access-list A extended permit icmp any any eq 80", 7, 44, "port operands need protocol tcp, udp or sctp")]
    [InlineData("access-list A extended permit tcp any any eq nosuchport", 7, 46, "unknown port 'nosuchport'")]
    [InlineData("access-list A extended permit tcp any any range 90 80", 7, 52, "port range end 80 is lower")]
    [InlineData("access-list A extended permit icmp any any bogus", 7, 44, "unknown icmp type 'bogus'")]
    [InlineData("access-list A extended permit ip host 10.0.0.1 host 2001:db8::1", 7, 48, "source is IPv4 but destination is IPv6")]
    [InlineData("access-list A extended permit ip any any rule-id 0", 7, 50, "rule-id must be a number")]
    [InlineData("access-list A extended permit ip any any inactive inactive", 7, 51, "option 'inactive' given twice")]
    [InlineData("access-list A extended permit ip any any foo", 7, 42, "unexpected 'foo'")]
    [InlineData("access-list A extended permit tcp any any object-group P", 7, 56, "port group 'P' is udp, the entry is tcp")]
    [InlineData("access-list A extended permit ip 10.0.0.0/8 any", 7, 34, "prefix notation is for IPv6")]
    [InlineData("access-list A extended permit foo any any", 7, 31, "unknown protocol 'foo'")]
    [InlineData("access-list A extended permit ip object-group P any", 7, 47, "'P' is a service object-group, not a network")]
    [InlineData("access-list A ethertype permit 0x0500", 7, 32, "ethertype must be")]
    [InlineData("access-list A extended permit ip any any\naccess-list A ethertype permit ipx", 8, 15, "cannot mix")]
    [InlineData("access-list A extended permit ip any", 7, 37, "missing address")]
    [InlineData("access-group NOPE global", 7, 14, "access-list 'NOPE' is not defined")]
    [InlineData("access-list A remark x\naccess-group A in interface outside", 8, 29, "no interface has nameif 'outside'")]
    [InlineData("access-list A remark x\naccess-list B remark y\naccess-group A global\naccess-group B global", 10, 14, "already has an extended access-list (A)")]
    [InlineData("timeout conn 1:60:00", 7, 14, "duration must be H:MM:SS")]
    [InlineData("timeout tcp 1:00:00", 7, 9, "unknown timeout 'tcp'")]
    [InlineData("mac-address-table aging-time 4", 7, 30, "aging-time must be a number from 5 to 720")]
    [InlineData("object network H2\n range 10.0.0.9 10.0.0.1", 8, 17, "range end 10.0.0.1 is lower")]
    [InlineData("object network H", 7, 16, "'H' is already defined")]
    [InlineData("object network E\n description nothing", 7, 16, "has no host, subnet or range")]
    [InlineData("object-group network G\n group-object G", 8, 15, "cannot contain itself")]
    [InlineData("object-group service Q\n port-object eq 1", 8, 2, "port-object needs a port group")]
    [InlineData("object-group service Q tcp\n port-object neq 1", 8, 14, "accepts only 'eq' or 'range'")]
    [InlineData("hostname -bad", 7, 10, "invalid hostname")]
    [InlineData("interface eth2\n nameif in side", 8, 12, "unexpected 'side'")]
    [InlineData("access-list A extended permit ip host 10.0.0.300 any", 7, 39, "invalid IP address '10.0.0.300'")]
    public void Errors_name_file_line_column_and_reason(string tail, int line, int column, string reason)
    {
        var ex = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(Base + tail, "test.conf"));
        Assert.Equal("test.conf", ex.File);
        Assert.Equal(line, ex.Line);
        Assert.Contains(reason, ex.Reason);
        Assert.Equal(column, ex.Column);
        // The column is the first character of a token, or one past the end of the line.
        Assert.True(column == ex.SourceLine.TrimEnd().Length + 1 || (ex.SourceLine[column - 1] != ' ' && (column == 1 || ex.SourceLine[column - 2] == ' ')));
        Assert.StartsWith($"test.conf:{line}:{column}: {ex.Reason}", ex.Message);
        Assert.EndsWith(ex.SourceLine, ex.Message);
        Assert.Equal((Base + tail).Split('\n')[line - 1], ex.SourceLine);
    }

    [Fact]
    public void Load_reports_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "hostname ok\nbogus\n");
        try
        {
            var ex = Assert.Throws<ConfigException>(() => BridgeConfig.Load(path));
            Assert.Equal(path, ex.File);
            Assert.Equal(2, ex.Line);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
