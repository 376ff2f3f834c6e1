using Bridge.Packets;
using Bridge.Rules.Tests.Support;

namespace Bridge.Rules.Tests.Options;

public class FlowTests
{
    [Fact]
    public void EstablishedNeedsTheHandshake()
    {
        var e = new Engine("alert tcp any any -> any any (flow:to_server,established; content:\"x\"; sid:1;)");
        e.Feed(Frames.Tcp("", flags: TcpFlags.Syn));
        Assert.Empty(e.Feed(Frames.Tcp("x", flags: TcpFlags.Syn)));
        e.Feed(Frames.Tcp("", 80, 40000, TcpFlags.Syn | TcpFlags.Ack, src: Frames.Server, dst: Frames.Client));
        e.Feed(Frames.Tcp("", flags: TcpFlags.Ack));
        Assert.Single(e.Feed(Frames.Tcp("x")));
    }

    [Fact]
    public void DirectionComesFromTheInitiator()
    {
        var e = new Engine("""
            alert tcp any any -> any any (flow:to_client; content:"x"; sid:1;)
            alert tcp any any -> any any (flow:from_client; content:"x"; sid:2;)
            """);
        e.Handshake();
        Assert.Equal([2u], e.Feed(Frames.Tcp("x")));
        Assert.Equal([1u], e.Feed(Frames.Tcp("x", 80, 40000, src: Frames.Server, dst: Frames.Client)));
    }

    [Fact]
    public void OnlyStreamIsRefused()
    {
        var set = RuleSet.FromText("alert tcp any any -> any any (flow:only_stream; sid:1;)");
        Assert.Equal("flow:only_stream needs stream reassembly", Assert.Single(set.Report.Rejections).Reason);
    }

    [Fact]
    public void FlowbitsSetOnlyWhenTheWholeRuleMatches()
    {
        var e = new Engine("""
            alert tcp any any -> any any (content:"login"; content:"ok"; flowbits:set,logged_in; flowbits:noalert; sid:1;)
            alert tcp any any -> any any (content:"cmd"; flowbits:isset,logged_in; sid:2;)
            alert tcp any any -> any any (content:"cmd"; flowbits:isnotset,logged_in; sid:3;)
            """);
        e.Handshake();
        Assert.Equal([3u], e.Feed(Frames.Tcp("cmd")));
        // "login" without "ok": the first rule fails, so it sets nothing.
        Assert.Empty(e.Feed(Frames.Tcp("login")));
        Assert.Equal([3u], e.Feed(Frames.Tcp("cmd")));
        Assert.Empty(e.Feed(Frames.Tcp("login ok")));
        Assert.Equal([2u], e.Feed(Frames.Tcp("cmd")));
        // Another flow has its own bits.
        Assert.Equal([3u], e.Feed(Frames.Tcp("cmd", 40001)));
    }

    [Fact]
    public void FlowbitsGroupsAnyAllAndSetx()
    {
        var e = new Engine("""
            alert tcp any any -> any any (content:"a"; flowbits:set,A,grp; flowbits:noalert; sid:1;)
            alert tcp any any -> any any (content:"b"; flowbits:setx,B,grp; flowbits:noalert; sid:2;)
            alert tcp any any -> any any (content:"?"; flowbits:isset,A|B; sid:10;)
            alert tcp any any -> any any (content:"?"; flowbits:isset,A&B; sid:11;)
            alert tcp any any -> any any (content:"?"; flowbits:isset,any,grp; sid:12;)
            alert tcp any any -> any any (content:"u"; flowbits:unset,all,grp; flowbits:noalert; sid:3;)
            """);
        e.Handshake();
        e.Feed(Frames.Tcp("a"));
        Assert.Equal([10u, 12u], e.Feed(Frames.Tcp("?")));
        // setx clears the group's other bits: A goes, B comes.
        e.Feed(Frames.Tcp("b"));
        Assert.Equal([10u, 12u], e.Feed(Frames.Tcp("?")));
        e.Feed(Frames.Tcp("a"));
        Assert.Equal([10u, 11u, 12u], e.Feed(Frames.Tcp("?")));
        e.Feed(Frames.Tcp("u"));
        Assert.Empty(e.Feed(Frames.Tcp("?")));
    }

    [Fact]
    public void ToggleFlipsTheBit()
    {
        var e = new Engine("""
            alert tcp any any -> any any (content:"t"; flowbits:toggle,T; flowbits:noalert; sid:1;)
            alert tcp any any -> any any (content:"?"; flowbits:isset,T; sid:2;)
            """);
        e.Handshake();
        e.Feed(Frames.Tcp("t"));
        Assert.Equal([2u], e.Feed(Frames.Tcp("?")));
        e.Feed(Frames.Tcp("t"));
        Assert.Empty(e.Feed(Frames.Tcp("?")));
    }
}
