using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Parsing;

public class ParserTests
{
    [Fact]
    public void VariablesHaveSnortDefaultsAndCanBeRedefined()
    {
        var e = new Engine("""
            alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (content:"x"; sid:1;)
            """);
        Assert.Single(e.Feed(Frames.Tcp("x", dport: 8080)));
        Assert.Empty(e.Feed(Frames.Tcp("x", dport: 8079)));

        var e2 = new Engine("""
            ipvar HOME_NET [10.0.0.0/24,!10.0.0.9]
            portvar WEB [80,8000:8010]
            alert tcp $HOME_NET any -> any $WEB (content:"x"; sid:1;)
            """);
        Assert.Single(e2.Feed(Frames.Tcp("x", dport: 8005)));
        Assert.Empty(e2.Feed(Frames.Tcp("x", dport: 8011)));
        Assert.Empty(e2.Feed(Frames.Tcp("x", dport: 80, src: "10.0.0.9")));
        Assert.Empty(e2.Feed(Frames.Tcp("x", dport: 80, src: "10.0.1.1")));
    }

    [Fact]
    public void NegatedNestedListsAndBidirectional()
    {
        var e = new Engine("""
            alert tcp ![10.0.0.0/8,!10.0.0.1] any <> any ![1:1023] (content:"x"; sid:1;)
            """);
        // 10.0.0.1 is carved out of the negated list, so it is allowed as source.
        Assert.Single(e.Feed(Frames.Tcp("x", 40000, 40001)));
        Assert.Empty(e.Feed(Frames.Tcp("x", 40000, 80)));
        Assert.Empty(e.Feed(Frames.Tcp("x", 40000, 40001, src: "10.0.0.3")));
        // <>: the reverse direction matches too.
        Assert.Single(e.Feed(Frames.Tcp("x", 40001, 40000, src: "10.0.0.3", dst: "10.0.0.1")));
    }

    [Fact]
    public void ContinuationLinesCommentsAndIncludes()
    {
        string dir = Directory.CreateTempSubdirectory("rules").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "inner.rules"), "alert udp any any -> any 53 (content:\"q\"; \\\n  sid:2;)\n# alert udp any any -> any any (sid:3;)\n");
            File.WriteAllText(Path.Combine(dir, "main.conf"), "var RULE_PATH .\ninclude $RULE_PATH/inner.rules\nalert tcp any any -> any any (msg:\"m\"; sid:1;)\npreprocessor stream5_global: track_tcp yes\n");
            var set = RuleSet.Load([Path.Combine(dir, "main.conf")]);
            Assert.Equal(2, set.Report.Loaded);
            Assert.Equal(0, set.Report.Rejected);
            Assert.Contains(set.Report.Notes, n => n.Contains("ignored 'preprocessor'", StringComparison.Ordinal));
            Assert.Equal([1u, 2u], set.Rules.Select(r => r.Sid).Order());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void RejectionsCarryFileLineSidAndReasonAndAreCounted()
    {
        var set = RuleSet.FromText("""
            alert tcp any any -> any any (content:"a"; sid:1;)

            alert tcp any any -> any any (content:"a"; ssl_state:client_hello; sid:2;)
            alert tcp any any -> any any (content:"a"; ssl_state:server_hello; sid:3;)
            alert tcp any any -> any any (content:"a"; msg:"no sid";)
            alert sctp any any -> any any (sid:5;)
            alert tcp $NOPE any -> any any (sid:6;)
            """, "test.rules");
        Assert.Equal(1, set.Report.Loaded);
        Assert.Equal(5, set.Report.Rejected);
        var first = set.Report.Rejections[0];
        Assert.Equal(("test.rules", 3, 2u, "unsupported option 'ssl_state'"), (first.File, first.Line, first.Sid!.Value, first.Reason));
        Assert.Equal(new KeyValuePair<string, int>("unsupported option 'ssl_state'", 2), set.Report.ByReason[0]);
        Assert.Contains(set.Report.Rejections, r => r.Reason == "missing sid" && r.Sid is null);
        Assert.Contains(set.Report.Rejections, r => r.Reason == "unsupported protocol" && r.Sid == 5);
        Assert.Contains(set.Report.Rejections, r => r.Reason == "undefined variable" && r.Sid == 6);
        Assert.StartsWith("rules: 1 loaded, 5 rejected\n", set.Report.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void IdentityClassificationAndPriority()
    {
        var set = RuleSet.FromText("""
            alert tcp any any -> any any (msg:"a \"quoted\" msg"; classtype:trojan-activity; reference:url,example.com; metadata:created_at 2017_01_01, service http; gid:3; sid:10; rev:4;)
            alert tcp any any -> any any (msg:"p"; classtype:trojan-activity; priority:4; sid:11;)
            """);
        var r = set.Rules.Single(x => x.Sid == 10);
        Assert.Equal("a \"quoted\" msg", r.Message);
        Assert.Equal((3u, 4u), (r.Gid, r.Rev));
        Assert.Equal(("A Network Trojan was detected", 1), (r.Classification, r.Priority));
        Assert.Equal(["http"], r.Services);
        Assert.Equal(4, set.Rules.Single(x => x.Sid == 11).Priority);
    }

    [Fact]
    public void Snort3ServiceAndHeaderlessRules()
    {
        var set = RuleSet.FromText("""
            alert http (msg:"svc"; http_uri; content:"/x",nocase; sid:1;)
            alert (msg:"none"; content:"zzz"; sid:2;)
            alert file (msg:"file"; content:"MZ"; sid:3;)
            """);
        Assert.Equal(2, set.Report.Loaded);
        Assert.Equal("file rules need file inspection", Assert.Single(set.Report.Rejections).Reason);
        var e = new Engine("alert http (msg:\"svc\"; http_uri; content:\"/x\",nocase; sid:1;)");
        Assert.Single(e.Feed(Frames.Tcp("GET /X HTTP/1.1\r\n\r\n", dport: 8080)));
        Assert.Empty(e.Feed(Frames.Tcp("GET /X HTTP/1.1\r\n\r\n", dport: 9)));
    }

    [Fact]
    public void DuplicateSidKeepsTheLaterRule()
    {
        var set = RuleSet.FromText("""
            alert tcp any any -> any any (msg:"old"; sid:1; rev:1;)
            alert tcp any any -> any any (msg:"new"; sid:1; rev:2;)
            """);
        Assert.Equal("new", Assert.Single(set.Rules).Message);
        Assert.Equal("duplicate gid:sid", Assert.Single(set.Report.Rejections).Reason);
    }

    [Theory]
    [InlineData("et-open-2017-snort29", 0.95)]
    [InlineData("snort2-community", 0.95)]
    [InlineData("snort3-community", 0.90)]
    public void ShippedRuleSetsLoad(string folder, double minimum)
    {
        var set = RuleSet.Load([Path.Combine(RuleData.Root, folder)]);
        Assert.True(set.Report.LoadedFraction >= minimum, set.Report.Summary());
        Assert.True(set.Report.Loaded > 500);
    }
}
