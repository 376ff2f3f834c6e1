using Bridge.Packets;
using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Config;

/// <summary>The <c>logging</c> lines: parse, canonical text (<c>show running-config logging</c>), round trip, errors.</summary>
public class LoggingConfigTests
{
    private const string Interfaces = """
        interface eth1
         nameif INSIDE
         bridge-group 1
        interface eth2
         nameif OUTSIDE
         bridge-group 1

        """;

    [Fact]
    public void No_logging_lines_means_logging_off_and_no_text()
    {
        var c = BridgeConfig.Parse(Interfaces);
        Assert.Same(LoggingSettings.Off, c.Logging);
        Assert.Equal("", c.ToText("logging"));
        Assert.False(c.Logging.SendsToHosts(0));
    }

    [Fact]
    public void Parses_hosts_trap_and_file_in_ASA_forms_and_prints_them_canonically()
    {
        var c = BridgeConfig.Parse(Interfaces + """
            logging enable
            logging trap 6
            logging host INSIDE 10.1.1.1
            logging host INSIDE 10.1.1.2 tcp
            logging host OUTSIDE 10.1.1.3 udp/5140
            logging host management 2001:db8::9 6/6514
            logging host INSIDE 10.1.1.4 17/514
            logging file json
            """);
        var l = c.Logging;
        Assert.True(l.Enabled);
        Assert.Equal(6, l.TrapLevel);
        Assert.Equal(
            [
                new SyslogHost("INSIDE", IpAddr.Parse("10.1.1.1"), SyslogTransport.Udp, 514),
                new SyslogHost("INSIDE", IpAddr.Parse("10.1.1.2"), SyslogTransport.Tcp, 1470),
                new SyslogHost("OUTSIDE", IpAddr.Parse("10.1.1.3"), SyslogTransport.Udp, 5140),
                new SyslogHost("management", IpAddr.Parse("2001:db8::9"), SyslogTransport.Tcp, 6514),
                new SyslogHost("INSIDE", IpAddr.Parse("10.1.1.4"), SyslogTransport.Udp, 514),
            ],
            l.Hosts);
        Assert.Equal(LoggingSettings.DefaultJsonFileKBytes, l.JsonFileKBytes);
        Assert.Equal("""
            logging enable
            logging trap informational
            logging host INSIDE 10.1.1.1
            logging host INSIDE 10.1.1.2 6/1470
            logging host OUTSIDE 10.1.1.3 17/5140
            logging host management 2001:db8::9 6/6514
            logging host INSIDE 10.1.1.4
            logging file json

            """.ReplaceLineEndings("\n"), c.ToText("logging"));
        Assert.Equal(c, BridgeConfig.Parse(c.ToText()));
        Assert.Contains("logging enable\n", c.ToText());
    }

    [Fact]
    public void Trap_level_filters_what_goes_to_the_servers()
    {
        var c = BridgeConfig.Parse(Interfaces + "logging enable\nlogging trap warnings\nlogging host INSIDE 10.1.1.1\n");
        Assert.True(c.Logging.SendsToHosts(4));
        Assert.True(c.Logging.SendsToHosts(0));
        Assert.False(c.Logging.SendsToHosts(6));
        // Without 'logging enable' nothing is sent, as on ASA.
        var off = BridgeConfig.Parse(Interfaces + "logging trap warnings\nlogging host INSIDE 10.1.1.1\n");
        Assert.False(off.Logging.SendsToHosts(0));
        // Without 'logging trap' the servers get nothing either.
        var noTrap = BridgeConfig.Parse(Interfaces + "logging enable\nlogging host INSIDE 10.1.1.1\n");
        Assert.False(noTrap.Logging.SendsToHosts(0));
    }

    [Fact]
    public void Later_lines_replace_and_no_forms_remove()
    {
        var c = BridgeConfig.Parse(Interfaces + """
            logging enable
            logging trap debugging
            logging host INSIDE 10.1.1.1
            logging host INSIDE 10.1.1.1 tcp/1514
            logging host OUTSIDE 10.1.1.2
            no logging host OUTSIDE 10.1.1.2 udp
            logging file json 1024
            no logging trap debugging
            logging file json 2048
            no logging enable
            """);
        Assert.Equal("logging host INSIDE 10.1.1.1 6/1514\nlogging file json 2048\n", c.ToText("logging"));
        Assert.False(c.Logging.Enabled);
        Assert.Null(c.Logging.TrapLevel);
        var none = BridgeConfig.Parse(c.ToText() + "no logging file json\nno logging host INSIDE 10.1.1.1\n");
        Assert.Equal("", none.ToText("logging"));
    }

    [Theory]
    [InlineData("logging host DMZ 10.1.1.1", "interface 'DMZ'")]
    [InlineData("logging host INSIDE 10.1.1.300", "not an IP address")]
    [InlineData("logging host INSIDE 10.1.1.1 sctp", "expected udp[/PORT] or tcp[/PORT]")]
    [InlineData("logging host INSIDE 10.1.1.1 tcp/0", "from 1 to 65535")]
    [InlineData("logging host INSIDE 10.1.1.1 6", "needs a port")]
    [InlineData("logging host INSIDE 10.1.1.1 udp extra", "unexpected 'extra'")]
    [InlineData("logging trap chatty", "logging level must be one of")]
    [InlineData("logging trap 8", "logging level must be one of")]
    [InlineData("logging file json 10", "from 64 to")]
    [InlineData("logging file text", "expected 'json'")]
    [InlineData("logging console 7", "unknown logging setting 'console'")]
    public void Bad_lines_are_refused_with_the_reason(string line, string reason)
    {
        var e = Assert.Throws<ConfigException>(() => BridgeConfig.Parse(Interfaces + line + "\n"));
        Assert.Contains(reason, e.Message);
    }
}
