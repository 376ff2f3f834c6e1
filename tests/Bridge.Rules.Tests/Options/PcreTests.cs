using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Options;

public class PcreTests
{
    [Theory]
    [InlineData("pcre:\"/ev[il]+/\"", "an evil thing", true)]
    [InlineData("pcre:\"/EVIL/i\"", "an evil thing", true)]
    [InlineData("pcre:\"/EVIL/\"", "an evil thing", false)]
    [InlineData("pcre:!\"/evil/\"", "a good thing", true)]
    [InlineData("pcre:\"/^an/\"", "an evil thing", true)]
    [InlineData("pcre:\"/^evil/m\"", "first\nevil line", true)]
    [InlineData("pcre:\"/^evil/\"", "first\nevil line", false)]
    [InlineData("pcre:\"/a.b/s\"", "a\nb", true)]
    [InlineData("pcre:\"/a.b/\"", "a\nb", false)]
    [InlineData("pcre:\"/a b/x\"", "ab", true)]
    // R: searched from the cursor, which Snort hands PCRE as the start offset, so ^ still means
    // the buffer start. A: anchored at the search start.
    [InlineData("content:\"key=\"; pcre:\"/^\\d+/R\"", "key=123", false)]
    [InlineData("content:\"key=\"; pcre:\"/\\d+/AR\"", "key=123", true)]
    [InlineData("content:\"key=\"; pcre:\"/\\d+/AR\"", "key=x123", false)]
    public void Matching(string options, string payload, bool expected) =>
        Assert.Equal(expected, Engine.Matches(options, payload));

    [Fact]
    public void PcreMovesTheCursorForLaterRelativeContent()
    {
        Assert.True(Engine.Matches("pcre:\"/id=\\d+/\"; content:\"&\"; within:1", "id=42&x"));
        Assert.False(Engine.Matches("pcre:\"/id=\\d+/\"; content:\"&\"; within:1", "id=42x&"));
    }

    [Theory]
    [InlineData("pcre:\"/a/G\"", "pcre flag G (ungreedy) not supported")]
    [InlineData("pcre:\"/a/E\"", "pcre flag E (dollar end only) not supported")]
    [InlineData("pcre:\"/a(?<!x+)\\Kb/\"", "pcre not expressible as .NET regex")]
    [InlineData("pcre:\"/a/Z\"", "unknown pcre flag")]
    public void Refused(string options, string reason)
    {
        var set = RuleSet.FromText($"alert tcp any any -> any any ({options}; sid:9;)");
        Assert.Equal(reason, Assert.Single(set.Report.Rejections).Reason);
    }

    [Fact]
    public void UriFlagReadsTheUriBuffer()
    {
        const string request = "GET /a.php?cmd=ls HTTP/1.1\r\nHost: x\r\n\r\n";
        Assert.True(Engine.Matches("pcre:\"/cmd=[a-z]+$/U\"", request));
        Assert.False(Engine.Matches("pcre:\"/Host/U\"", request));
    }

    [Fact]
    public void PcreSpellingsAreTranslated()
    {
        // (?P<n>…)/(?P=n) are PCRE's Python-style names; "\_" is a literal underscore in PCRE.
        Assert.True(Engine.Matches("pcre:\"/(?P<q>[\\x22\\x27])abc(?P=q)/\"", "x='abc'"));
        Assert.False(Engine.Matches("pcre:\"/(?P<q>[\\x22\\x27])abc(?P=q)/\"", "x='abc\""));
        Assert.True(Engine.Matches("pcre:\"/a\\_b/\"", "a_b"));
        var set = RuleSet.FromText("alert tcp any any -> any any (pcre:\"/(?P<a>x)(?P>a)/\"; sid:1;)");
        Assert.Equal("pcre recursion not supported", Assert.Single(set.Report.Rejections).Reason);
    }

    [Theory]
    [InlineData("bufferlen:5", "hello", true)]
    [InlineData("bufferlen:>5", "hello", false)]
    [InlineData("content:\"he\"; bufferlen:3,relative", "hello", true)]
    [InlineData("http_uri; bufferlen:<10", "GET /abc HTTP/1.1\r\n\r\n", true)]
    public void Bufferlen(string options, string payload, bool expected)
    {
        var e = new Engine($"alert tcp any any -> any any ({options}; service:http; sid:1;)");
        Assert.Equal(0, e.Set.Report.Rejected);
        Assert.Equal(expected, e.Feed(Frames.Tcp(payload)).Count == 1);
    }
}
