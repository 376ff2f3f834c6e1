namespace Bridge.Io.Tests;

public sealed class NicSetupTests
{
    [Fact]
    public void Prepare_brings_the_link_up_promiscuous_with_offloads_off()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        var b = lab.AddNamespace("b");
        lab.AddVeth(a, "va", b, "vb", mtu: 1600);
        lab.Exec(a, "ip", "link", "set", "va", "down");
        lab.Exec(a, "ethtool", "-K", "va", "gro", "on", "tso", "on", "gso", "on");

        NicInfo info;
        NicOffloads offloads;
        using (NetworkNamespace.Enter(a))
        {
            info = NicSetup.Prepare("va");
            offloads = NicSetup.ReadOffloads("va");
        }

        Assert.True(info.AdminUp);
        Assert.True(info.Promiscuous);
        Assert.Equal(1600, info.Mtu);
        Assert.True(info.IfIndex > 0);
        var mac = lab.Exec(a, "cat", "/sys/class/net/va/address").Trim();
        Assert.Equal(mac, info.Mac.ToString());
        Assert.Equal(new NicOffloads(Gro: false, Lro: false, Gso: false, Tso: false), offloads);

        // Cross-check with ethtool itself.
        var features = lab.Exec(a, "ethtool", "-k", "va");
        Assert.Contains("generic-receive-offload: off", features);
        Assert.Contains("large-receive-offload: off", features);
        Assert.Contains("generic-segmentation-offload: off", features);
        Assert.Contains("tcp-segmentation-offload: off", features);
        Assert.Contains("PROMISC", lab.Exec(a, "ip", "link", "show", "va"));
    }

    [Fact]
    public void A_missing_device_is_reported_with_its_name()
    {
        using var lab = new NetnsLab();
        var a = lab.AddNamespace("a");
        using (NetworkNamespace.Enter(a))
        {
            var ex = Assert.Throws<NicSetupException>(() => NicSetup.Query("nosuchdev0"));
            Assert.Equal("nosuchdev0", ex.Device);
            Assert.Contains("nosuchdev0", ex.Message);
            Assert.Contains("No such device", ex.Message);
            Assert.Throws<NicSetupException>(() => NicSetup.Prepare("nosuchdev0"));
        }
    }

    [Fact]
    public void Mtu_comparison_warns_only_when_the_sides_differ()
    {
        var inside = new NicInfo("eth1", 2, 1500, default, true, true, true);
        var outside = new NicInfo("eth2", 3, 9000, default, true, true, true);
        Assert.Null(NicSetup.CompareMtu(inside, inside with { Device = "eth2" }));
        var warning = NicSetup.CompareMtu(inside, outside);
        Assert.NotNull(warning);
        Assert.Contains("eth1", warning);
        Assert.Contains("eth2", warning);
        Assert.Contains("1500", warning);
        Assert.Contains("9000", warning);
    }
}
