using Bridge.Packets;
using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;

namespace Bridge.Pipeline.Tests.Acl;

public class EtherTypeTests
{
    private static readonly MacAddr Stp = new(0x0180_C200_0000UL);
    private static readonly MacAddr Pvst = new(0x0100_0CCC_CCCDUL);
    private static readonly MacAddr Unicast = new(0x000C_2998_3FECUL);
    private static readonly string[] Ports = ["INSIDE", "OUTSIDE"];

    private static CompiledPolicy Compile(string text) =>
        CompiledPolicy.Build(BridgeConfig.Parse("interface eth1\n nameif INSIDE\ninterface eth2\n nameif OUTSIDE\n" + text), Ports);

    [Theory]
    [InlineData(EtherTypes.Ipv4)]
    [InlineData(EtherTypes.Ipv6)]
    [InlineData(EtherTypes.Arp)]
    public void Ip_and_arp_pass_implicitly_even_with_deny_any(ushort type)
    {
        var p = Compile("access-list E ethertype deny any\naccess-group E global\n");
        Assert.Equal(EtherVerdict.ImplicitPermit, p.MatchEtherType(0, type, false, Unicast, out int idx));
        Assert.Equal(-1, idx);
    }

    [Fact]
    public void Ipx_without_an_ethertype_list_is_implicitly_denied()
    {
        var p = Compile("");
        Assert.Equal(EtherVerdict.ImplicitDeny, p.MatchEtherType(0, EtherTypes.Ipx, false, Unicast, out int idx));
        Assert.Equal(-1, idx);
        Assert.False(p.HasAccessGroup(0));
    }

    [Fact]
    public void Ethertype_permit_ipx_on_one_interface_only()
    {
        var p = Compile("access-list E ethertype permit ipx\naccess-group E in interface INSIDE\n");
        Assert.Equal(EtherVerdict.Permit, p.MatchEtherType(0, EtherTypes.Ipx, false, Unicast, out int idx));
        Assert.Equal(0, idx);
        Assert.True(p.Ace(0).IsEtherType);
        Assert.Equal(EtherVerdict.ImplicitDeny, p.MatchEtherType(1, EtherTypes.Ipx, false, Unicast, out _));
        Assert.Equal(EtherVerdict.ImplicitDeny, p.MatchEtherType(0, EtherTypes.MplsUnicast, false, Unicast, out _));
        // An ethertype list is not an L3 access-group.
        Assert.False(p.HasAccessGroup(0));
    }

    [Fact]
    public void Bpdus_pass_by_default_and_an_explicit_deny_blocks_them()
    {
        var open = Compile("access-list E ethertype deny any\naccess-group E global\n");
        Assert.Equal(EtherVerdict.ImplicitPermit, open.MatchEtherType(0, 38, true, Stp, out _));
        Assert.Equal(EtherVerdict.ImplicitPermit, open.MatchEtherType(0, 50, true, Pvst, out _));
        Assert.Equal(EtherVerdict.Deny, open.MatchEtherType(0, 0x88cc, false, Unicast, out _));

        var closed = Compile("access-list E ethertype deny bpdu\naccess-group E global\n");
        Assert.Equal(EtherVerdict.Deny, closed.MatchEtherType(0, 38, true, Stp, out int idx));
        Assert.Equal(0, idx);
        // An LLC frame that is not a BPDU (e.g. raw 802.3 to a unicast MAC) still needs a permit.
        Assert.Equal(EtherVerdict.ImplicitDeny, closed.MatchEtherType(0, 100, true, Unicast, out _));
    }

    [Fact]
    public void Numbered_mpls_and_first_match()
    {
        var p = Compile("""
            access-list E ethertype deny 0x88cc
            access-list E ethertype permit mpls-unicast
            access-list E ethertype permit mpls-multicast
            access-list E ethertype permit any
            access-group E global
            """ + "\n");
        Assert.Equal(EtherVerdict.Deny, p.MatchEtherType(1, 0x88cc, false, Unicast, out int a));
        Assert.Equal(0, a);
        Assert.Equal(EtherVerdict.Permit, p.MatchEtherType(1, EtherTypes.MplsUnicast, false, Unicast, out int b));
        Assert.Equal(1, b);
        Assert.Equal(EtherVerdict.Permit, p.MatchEtherType(1, EtherTypes.MplsMulticast, false, Unicast, out int c));
        Assert.Equal(2, c);
        Assert.Equal(EtherVerdict.Permit, p.MatchEtherType(1, 0x9000, false, Unicast, out int d));
        Assert.Equal(3, d);
    }

    [Fact]
    public void Isis_matches_llc_frames_to_isis_groups()
    {
        var p = Compile("access-list E ethertype permit isis\naccess-group E global\n");
        Assert.Equal(EtherVerdict.Permit, p.MatchEtherType(0, 1400, true, new MacAddr(0x0180_C200_0014UL), out _));
        Assert.Equal(EtherVerdict.ImplicitDeny, p.MatchEtherType(0, 1400, true, Unicast, out _));
    }
}
