using Bridge.Daemon.Commands;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Tests.Admin;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Tests.Commands;

/// <summary>The command tree on its own: FTD abbreviations, ambiguity, the ^ marker, ? lists and completion.</summary>
public sealed class GrammarTests
{
    private static readonly CommandTree Tree = CommandCatalogue.BuildTree();
    private static readonly RuntimeSnapshot Snap = RuntimeSnapshot.Build(BridgeConfig.Load(Path.Combine(AdminFixture.Repo(), "config", "lab.conf")));

    [Theory]
    [InlineData("sh conn", "show conn")]
    [InlineData("sh run access-list", "show running-config access-list")]
    [InlineData("sh asp dr", "show asp drop")]
    [InlineData("SH ASP DROP FR", "show asp drop frame")]
    [InlineData("sh int INSIDE det", "show interface INSIDE detail")]
    [InlineData("cl access-list CSM_FW_ACL_ co", "clear access-list CSM_FW_ACL_ counters")]
    [InlineData("wr mem", "write memory")]
    [InlineData("sh conn addr 10.0.0.1", "show conn address 10.0.0.1")]
    public void Abbreviations_expand_to_the_full_command(string typed, string expanded)
    {
        var r = Tree.Parse(typed, Snap);
        Assert.Equal(ParseStatus.Complete, r.Status);
        Assert.Equal(expanded, r.Expanded);
    }

    [Theory]
    [InlineData("sh a")]
    [InlineData("c conn")]
    [InlineData("show asp drop f")]
    public void Ambiguous_abbreviations_are_refused_as_ftd_does(string typed)
    {
        var r = Tree.Parse(typed, Snap);
        Assert.Equal(ParseStatus.Ambiguous, r.Status);
        Assert.Equal($"% Ambiguous command:  \"{typed}\"\n", CommandTree.ErrorText(r, typed));
    }

    [Theory]
    [InlineData("show foo", 5)]
    [InlineData("show conn bogus", 10)]
    [InlineData("  show   conn   bogus", 16)]
    [InlineData("show interface inside", 15)]
    [InlineData("show conn address 10.0.0.300", 18)]
    [InlineData("mac-address-table aging-time 721", 29)]
    public void Invalid_word_gets_the_caret_under_it(string typed, int column)
    {
        var r = Tree.Parse(typed, Snap);
        Assert.Equal(ParseStatus.Invalid, r.Status);
        Assert.Equal(column, r.ErrorColumn);
        string text = CommandTree.ErrorText(r, typed);
        var lines = text.Split('\n');
        Assert.Equal(typed, lines[0]);
        Assert.Equal(new string(' ', column) + "^", lines[1]);
        Assert.Equal("ERROR: % Invalid input detected at '^' marker.", lines[2]);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("show asp")]
    [InlineData("clear access-list CSM_FW_ACL_")]
    [InlineData("access-list X")]
    public void Incomplete_commands(string typed) =>
        Assert.Equal("% Incomplete command\n", CommandTree.ErrorText(Tree.Parse(typed, Snap), typed));

    [Fact]
    public void Question_mark_after_a_space_lists_next_words_with_help_and_cr()
    {
        string help = Tree.Help("show conn ", Snap);
        Assert.Equal(
            "  address        Display connections with this IP address\n" +
            "  count          Display number of connections in use\n" +
            "  detail         Display detailed information\n" +
            "  protocol       Display connections of this protocol\n" +
            "  <cr>\n", help);
        Assert.Contains("  A.B.C.D        IP address\n", Tree.Help("show conn address ", Snap));
        Assert.Contains("  <5-720>        Aging time in minutes\n", Tree.Help("mac-address-table aging-time ", Snap));
        string top = Tree.Help("", Snap);
        Assert.Matches(@"\n  show +Show running system information\n", top);
        Assert.DoesNotContain("<cr>", top);
    }

    [Fact]
    public void Question_mark_after_a_partial_word_lists_what_it_can_begin()
    {
        Assert.Equal("access-list  asp\n", Tree.Help("show a", Snap));
        Assert.Equal("INSIDE\n", Tree.Help("show interface I", Snap));
        Assert.Contains("^", Tree.Help("show zz", Snap));
    }

    [Fact]
    public void Completion_candidates_for_a_partial_line()
    {
        Assert.Equal("conn @3", Complete("sh co"));
        Assert.Equal("INSIDE OUTSIDE detail stats @15", Complete("show interface "));
        Assert.Equal("CSM_FW_ACL_ @17", Complete("show access-list C"));
        Assert.Equal(" @5", Complete("show zz"));
    }

    private static string Complete(string line)
    {
        var (c, from) = Tree.Complete(line, Snap);
        return string.Join(' ', c) + " @" + from;
    }

    [Fact]
    public void Every_registered_command_has_help_text_on_every_word()
    {
        void Walk(GrammarNode n)
        {
            foreach (var c in n.Children)
            {
                Assert.False(string.IsNullOrWhiteSpace(c.Help), $"no help for '{c.Name}'");
                Assert.True(c.Handler is not null || c.Children.Count > 0, $"'{c.Name}' leads nowhere");
                Walk(c);
            }
        }
        Walk(Tree.Root);
    }
}
