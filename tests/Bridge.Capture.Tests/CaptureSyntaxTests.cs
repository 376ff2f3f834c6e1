using Bridge.Packets;

namespace Bridge.Capture.Tests;

public sealed class CaptureSyntaxTests
{
    private readonly CaptureBed _bed = new();

    private CaptureSyntaxException Fails(string line) => Assert.Throws<CaptureSyntaxException>(() => _bed.Capture(line));

    [Theory]
    [InlineData("X interface INSIDE buffer 1533", 26)]
    [InlineData("X interface INSIDE buffer 33554433", 26)]
    [InlineData("X interface INSIDE packet-length 13", 33)]
    [InlineData("X interface INSIDE packet-length 9217", 33)]
    [InlineData("X interface INSIDE trace trace-count 0", 37)]
    [InlineData("X interface INSIDE trace trace-count 1001", 37)]
    [InlineData("X interface NOWHERE", 12)]
    [InlineData("X interface INSIDE match icmp host 1.2.3.400 any", 35)]
    [InlineData("X interface INSIDE match icmp 10.0.0.0 255.0.255.0 any", 39)]
    [InlineData("X interface INSIDE match tcp any eq 70000 any", 36)]
    [InlineData("X interface INSIDE match bogus any any", 25)]
    [InlineData("X interface INSIDE ethernet-type 70000", 33)]
    [InlineData("X type asp-drop no-such-reason", 16)]
    [InlineData("X interface INSIDE frobnicate", 19)]
    public void Out_of_range_and_unknown_words_are_marked_with_the_caret(string line, int column)
    {
        var e = Fails(line);
        Assert.Equal("ERROR: % Invalid input detected at '^' marker.", e.Message);
        Assert.Equal(column, e.Column);
        Assert.Null(_bed.Registry.Find("X"));
    }

    [Fact]
    public void Missing_values_are_incomplete_and_ambiguous_abbreviations_say_so()
    {
        Assert.True(Fails("X interface").Incomplete);
        Assert.True(Fails("X interface INSIDE match icmp host 1.2.3.4").Incomplete);
        Assert.True(Fails("X buffer").Incomplete);
        Assert.StartsWith("% Ambiguous command", Fails("X interface INSIDE t").Message);
        Assert.StartsWith("ERROR: access-list NOPE does not exist", Fails("X interface INSIDE access-list NOPE").Message);
    }

    [Fact]
    public void Full_syntax_with_abbreviations_and_canonical_list_form()
    {
        _bed.Capture("X ty raw int INSIDE buf 65536 pack 9216 circ head eth 802.1Q real det dump tr det trace-c 1000 " +
            "m tcp 10.1.0.0 255.255.0.0 range 1000 2000 any6 neq https m ip 10.1.1.1 255.255.255.255 any4 m udp 2001:db8::/32 lt 1024 any gt 5000");
        var def = _bed.Registry.Find("X")!;
        Assert.Equal("capture X type raw-data buffer 65536 trace detail trace-count 1000 interface INSIDE packet-length 9216 ethernet-type 802.1Q circular-buffer headers-only real-time dump detail", def.Summary());
        Assert.Equal(
            ["match tcp 10.1.0.0 255.255.0.0 range 1000 2000 any6 neq https", "match ip host 10.1.1.1 any4", "match udp 2001:db8::/32 lt 1024 any gt 5000"],
            def.Matches.Select(m => m.ToString()));
        _bed.Capture("D type asp-drop inspect-icmp-seq-num-not-matched");
        Assert.Equal(DropReason.InspectIcmpSeqNumNotMatched, _bed.Registry.Find("D")!.DropFilter);
        Assert.Equal("capture D type asp-drop inspect-icmp-seq-num-not-matched", _bed.Registry.Find("D")!.Summary());
        Assert.Throws<CaptureSyntaxException>(() => _bed.Capture("D type raw-data"));
    }

    [Fact]
    public void Match_lines_are_bidirectional_and_check_ports_and_families()
    {
        var m = CaptureSyntax.Apply(null, "X", CaptureSyntax.Tokenize("match tcp host 10.0.0.1 any eq www", 0), new NoNames()).Matches.Single();
        var client = IpAddr.Parse("10.0.0.1");
        var server = IpAddr.Parse("10.0.0.2");
        Assert.True(m.Matches(Info(client, 40000, server, 80)));
        Assert.False(m.Matches(Info(client, 80, server, 40000)));
        // The reverse direction: DST side holds the host and the port.
        Assert.True(m.Matches(Info(server, 80, client, 40000)));
        Assert.False(m.Matches(Info(server, 81, client, 40000)));
        var v6only = CaptureSyntax.Apply(null, "X", CaptureSyntax.Tokenize("match ip any6 any6", 0), new NoNames()).Matches.Single();
        Assert.False(v6only.Matches(Info(client, 1, server, 2)));
    }

    private static FrameInfo Info(IpAddr src, ushort sport, IpAddr dst, ushort dport)
    {
        var frame = FrameBuilder.Ethernet(CaptureBed.MacA, CaptureBed.MacB).Ipv4(src, dst).Tcp(sport, dport, TcpFlags.Syn).Build();
        var info = new FrameInfo();
        info.Reset();
        FrameDecoder.Decode(frame, ref info);
        return info;
    }

    private sealed class NoNames : ICaptureNames
    {
        public bool InterfaceExists(string nameIf) => true;

        public bool AccessListExists(string name) => false;
    }
}
