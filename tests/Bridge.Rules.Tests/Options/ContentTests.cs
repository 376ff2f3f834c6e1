using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Options;

public class ContentTests
{
    [Theory]
    [InlineData("content:\"evil\"", "an evil payload", true)]
    [InlineData("content:\"EVIL\"", "an evil payload", false)]
    [InlineData("content:\"EVIL\"; nocase", "an evil payload", true)]
    [InlineData("content:!\"evil\"", "a good payload", true)]
    [InlineData("content:!\"evil\"", "an evil payload", false)]
    [InlineData("content:\"|41 42|C\"", "xxABCxx", true)]
    [InlineData("content:\"a\\;b\"", "xa;bx", true)]
    [InlineData("content:\"GET\"; depth:3", "GET /", true)]
    [InlineData("content:\"GET\"; depth:3", " GET /", false)]
    [InlineData("content:\"/x\"; offset:4; depth:2", "GET /x", true)]
    [InlineData("content:\"/x\"; offset:5", "GET /x", false)]
    // Snort 3 comma form.
    [InlineData("content:\"get\",depth 3,nocase", "GET /", true)]
    public void Absolute(string options, string payload, bool expected) =>
        Assert.Equal(expected, Engine.Matches(options, payload));

    [Theory]
    // distance counts from the end of the previous match.
    [InlineData("content:\"ab\"; content:\"cd\"; distance:2", "abxxcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:3", "abxxcd", false)]
    // within counts from the distance-adjusted start (Snort 2's reading: the window is [cursor+distance, cursor+distance+within)).
    [InlineData("content:\"ab\"; content:\"cd\"; within:4", "abxxcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; within:3", "abxxcd", false)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1; within:3", "abxxcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1; within:2", "abxxcd", false)]
    // A negative distance looks back before the previous match end.
    [InlineData("content:\"cd\"; content:\"bc\"; distance:-3; within:2", "abcd", true)]
    public void Relative(string options, string payload, bool expected) =>
        Assert.Equal(expected, Engine.Matches(options, payload));

    [Fact]
    public void RelativeContentIsRetriedAfterALaterFailure()
    {
        // The first "a" is followed by "x", not "b": Snort searches "a" again after its first
        // match and the second "a" satisfies within:1. Without the retry the rule would miss.
        Assert.True(Engine.Matches("content:\"a\"; content:\"b\"; within:1", "axab"));
        Assert.False(Engine.Matches("content:\"a\"; content:\"b\"; within:1", "axax"));
    }

    [Fact]
    public void RetryAlsoReachesPastAByteJump()
    {
        // "L" then a one-byte length to skip, then "Z" right after: only the second "L" works.
        byte[] payload = [(byte)'L', 5, (byte)'q', (byte)'L', 1, (byte)'q', (byte)'Z'];
        Assert.True(Engine.MatchesBytes("content:\"L\"; byte_jump:1,0,relative; content:\"Z\"; within:1", payload));
    }

    [Fact]
    public void FastPatternOnlyAndOffsetLengthLoad()
    {
        var e = new Engine("alert tcp any any -> any any (content:\"abcdef\"; fast_pattern:2,3; content:\"zz\"; fast_pattern:only; sid:1;)");
        Assert.Equal(0, e.Set.Report.Rejected);
        Assert.Single(e.Feed(Frames.Tcp("..abcdef..zz")));
        Assert.Empty(e.Feed(Frames.Tcp("..abcdef..")));
    }

    [Fact]
    public void FastPatternIsCaseInsensitiveButTheRuleIsNot()
    {
        var e = new Engine("alert tcp any any -> any any (content:\"Secret\"; sid:1;)");
        Assert.Empty(e.Feed(Frames.Tcp("SECRET")));
        Assert.Single(e.Feed(Frames.Tcp("Secret")));
    }

    [Theory]
    [InlineData("content:\"abc\"; depth:2", "content depth shorter than the pattern")]
    [InlineData("content:\"abc\"; offset:1; distance:1", "content mixes offset/depth with distance/within")]
    [InlineData("nocase; content:\"abc\"", "modifier without content")]
    [InlineData("content:\"|4\"", "unterminated hex in content")]
    public void Refused(string options, string reason)
    {
        var set = RuleSet.FromText($"alert tcp any any -> any any ({options}; sid:7;)");
        var r = Assert.Single(set.Report.Rejections);
        Assert.Equal(reason, r.Reason);
        Assert.Equal(7u, r.Sid);
    }

    [Fact]
    public void HttpModifiersPickTheirBuffers()
    {
        const string request = "GET /index.php?id=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Evil/1.0\r\nCookie: s=abc\r\n\r\n";
        Assert.True(Engine.Matches("content:\"GET\"; http_method; content:\"/index.php\"; http_uri", request));
        Assert.False(Engine.Matches("content:\"Host\"; http_uri", request));
        Assert.True(Engine.Matches("content:\"Evil/1.0\"; http_header", request));
        Assert.True(Engine.Matches("uricontent:\"id=1\"", request));
        Assert.True(Engine.Matches("content:\"s=abc\"; http_cookie", request));
        Assert.True(Engine.Matches("urilen:15", request));
        Assert.False(Engine.Matches("urilen:>20", request));
    }

    [Fact]
    public void Snort3StickyBuffers()
    {
        const string request = "POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nuser";
        var e = new Engine("alert tcp any any -> any any (http_uri; content:\"/login\"; http_client_body; content:\"user\",depth 4; service:http; sid:1;)");
        Assert.Equal(0, e.Set.Report.Rejected);
        Assert.Single(e.Feed(Frames.Tcp(request)));
    }
}
