using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// <c>interface DEVICE[.SUB]</c> opens the <c>config-if</c> sub-mode: <c>nameif</c>, <c>vlan</c>,
/// <c>bridge-group</c>, <c>mtu</c>, <c>port-driver</c>, <c>description</c>, <c>[no] shutdown</c>.
/// A change the running ports cannot take (an MTU or driver change, a new bridged device) is
/// refused by the data plane with its reason, and the running config stays as it was.
/// </summary>
public sealed class InterfaceConfigCommand : ICommandModule
{
    public const string Mode = "config-if";

    private static readonly BlockCommand[] Commands =
    [
        new("nameif", "Assign name to interface") { Argument = ParamType.Word, ArgumentHelp = "Name of the interface (up to 48 characters)" },
        new("vlan", "Configure the VLAN this sub-interface carries") { Argument = ParamType.Number(1, 4094), ArgumentHelp = "VLAN id" },
        new("bridge-group", "Specify the bridge group of this interface") { Argument = ParamType.Number(1, 250), ArgumentHelp = "Bridge group number" },
        new("mtu", "Specify the MTU of this interface") { Argument = ParamType.Number(64, 9216), ArgumentHelp = "MTU in bytes" },
        new("port-driver", "Choose how frames are read and written on this device")
        {
            Choices = [("afpacket", "AF_PACKET rings (default)"), ("pcap", "libpcap")],
        },
        new("description", "Interface specific description") { Argument = ParamType.Line, ArgumentHelp = "Up to 200 characters describing this interface" },
        new("shutdown", "Shutdown the selected interface"),
    ];

    public void Register(GrammarNode root)
    {
        root.Keyword("interface", "Select an interface to configure")
            .Param(ParamType.Word, "device", "Linux device, with .N for a VLAN sub-interface (eth1.1577)")
            .Runs(ctx => ConfigBlockEditor.Enter(ctx, Mode, "interface " + ctx.Get("device")), Privilege.Admin);
        ConfigBlockEditor.RegisterMode(root, Mode, Commands);
    }
}
