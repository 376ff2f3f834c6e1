using Bridge.Pipeline.Acl;
using Bridge.Pipeline.Config;
using Bridge.Pipeline.Tests.Config;

namespace Bridge.Pipeline.Tests.Acl;

public class ShowAccessListTests
{
    private static readonly string[] Ports = ["INSIDE", "OUTSIDE"];

    [Fact]
    public void Seed_policy_renders_like_FTD()
    {
        var p = CompiledPolicy.Build(BridgeConfig.Load(RepoFiles.Path("config/lab.conf")), Ports);
        // The seed ping: 4 echo requests A->B on the first rule, replies ride the flow; one stray
        // packet hit the default deny.
        long[] hits = [4, 0, 1];
        const string expected = """
            access-list cached ACL log flows: total 0, denied 0 (deny-flow-max 4096)
                        alert-interval 300
            access-list CSM_FW_ACL_; 3 elements; name hash: 0x2b215c70
            access-list CSM_FW_ACL_ line 1 remark rule-id 268436482: ACCESS POLICY: FTD5515 - Mandatory/1
            access-list CSM_FW_ACL_ line 2 remark rule-id 268436482: L4 RULE: Allow ICMP
            access-list CSM_FW_ACL_ line 3 advanced permit ip 192.168.103.0 255.255.255.0 192.168.101.0 255.255.255.0 rule-id 268436482 event-log both (hitcnt=4) 0x1f220344
            access-list CSM_FW_ACL_ line 4 remark rule-id 268436483: ACCESS POLICY: FTD5515 - Mandatory/2
            access-list CSM_FW_ACL_ line 5 remark rule-id 268436483: L4 RULE: Allow ICMP reverse
            access-list CSM_FW_ACL_ line 6 advanced permit ip 192.168.101.0 255.255.255.0 192.168.103.0 255.255.255.0 rule-id 268436483 event-log both (hitcnt=0) 0x442f7d19
            access-list CSM_FW_ACL_ line 7 remark rule-id 268434432: ACCESS POLICY: FTD5515 - Default
            access-list CSM_FW_ACL_ line 8 remark rule-id 268434432: L4 RULE: DEFAULT ACTION RULE
            access-list CSM_FW_ACL_ line 9 advanced deny ip any any rule-id 268434432 (hitcnt=1) 0x7d37367a

            """;
        Assert.Equal(expected, ShowAccessList.Render(p, hits));
    }

    [Fact]
    public void Parent_hitcnt_is_the_sum_of_its_indented_children()
    {
        var cfg = BridgeConfig.Parse("""
            object-group network TWO
             network-object host 10.0.0.1
             network-object host 10.0.0.2
            access-list A extended permit tcp object-group TWO any eq ssh
            access-list A extended deny ip any any inactive
            access-list B ethertype permit ipx
            """ + "\n");
        var p = CompiledPolicy.Build(cfg, Ports);
        long[] hits = [5, 7, 9, 11];
        var text = ShowAccessList.Render(p, hits, "A");
        var lines = text.Split('\n');
        Assert.Equal("access-list A; 3 elements; name hash: 0x" + Fnv("A"), lines[2]);
        Assert.Equal($"access-list A line 1 extended permit tcp object-group TWO any eq ssh (hitcnt=12) 0x{Fnv("access-list A extended permit tcp object-group TWO any eq ssh")}", lines[3]);
        Assert.Equal($"  access-list A line 1 extended permit tcp host 10.0.0.1 any eq ssh (hitcnt=5) 0x{Fnv("access-list A extended permit tcp host 10.0.0.1 any eq ssh")}", lines[4]);
        Assert.Equal($"  access-list A line 1 extended permit tcp host 10.0.0.2 any eq ssh (hitcnt=7) 0x{Fnv("access-list A extended permit tcp host 10.0.0.2 any eq ssh")}", lines[5]);
        Assert.Equal($"access-list A line 2 extended deny ip any any inactive (hitcnt=9) (inactive) 0x{Fnv("access-list A extended deny ip any any inactive")}", lines[6]);
        Assert.Equal("", lines[7]);
        Assert.DoesNotContain("access-list B", text);
        Assert.Contains("access-list B line 1 ethertype permit ipx (hitcnt=11)", ShowAccessList.Render(p, hits));
    }

    [Fact]
    public void Unknown_list_and_short_counter_array_are_rejected()
    {
        var p = CompiledPolicy.Build(BridgeConfig.Parse("access-list A extended permit ip any any\n"), Ports);
        Assert.Throws<ArgumentException>(() => ShowAccessList.Render(p, new long[1], "NOPE"));
        Assert.Throws<ArgumentException>(() => ShowAccessList.Render(p, ReadOnlySpan<long>.Empty));
        Assert.Equal(["A"], p.ListNames);
    }

    // Reference FNV-1a 32 written independently of the production code.
    private static string Fnv(string s)
    {
        uint h = 0x811C9DC5;
        foreach (char c in s)
        {
            h ^= c;
            h *= 0x01000193;
        }
        return h.ToString("x8");
    }
}
