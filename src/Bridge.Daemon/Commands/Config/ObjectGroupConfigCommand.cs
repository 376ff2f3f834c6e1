using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// <c>object-group network NAME</c> (sub-mode <c>config-network-object-group</c>:
/// <c>network-object</c>, <c>group-object</c>, <c>description</c>) and
/// <c>object-group service NAME [tcp|udp|tcp-udp]</c> (<c>config-service-object-group</c>:
/// <c>port-object</c>, <c>service-object</c>, <c>group-object</c>, <c>description</c>). Members
/// are added one line at a time and removed with <c>no</c> and the member as configured;
/// <c>no object-group … NAME</c> deletes the group, refused while something uses it.
/// </summary>
public sealed class ObjectGroupConfigCommand : ICommandModule
{
    public const string NetworkMode = "config-network-object-group";
    public const string ServiceMode = "config-service-object-group";

    private static readonly BlockCommand Description =
        new("description", "Specify a description for this object-group") { Argument = ParamType.Line, ArgumentHelp = "Up to 200 characters" };

    private static readonly BlockCommand GroupObject =
        new("group-object", "Configure an object group as an object") { Argument = ParamType.Word, ArgumentHelp = "Name of an object group of the same kind", Repeats = true };

    private static readonly BlockCommand[] NetworkCommands =
    [
        new("network-object", "Configure a network object")
        {
            Argument = ParamType.Line, ArgumentHelp = "host A.B.C.D | A.B.C.D MASK | X:X::X/N | object NAME", Repeats = true,
        },
        GroupObject,
        Description,
    ];

    private static readonly BlockCommand[] ServiceCommands =
    [
        new("port-object", "Configure a port object (port groups)") { Argument = ParamType.Line, ArgumentHelp = "eq PORT | range FIRST LAST", Repeats = true },
        new("service-object", "Configure a service object")
        {
            Argument = ParamType.Line, ArgumentHelp = "{tcp|udp|tcp-udp|icmp|ip|NUMBER} [source OP PORT] [destination OP PORT] | object NAME", Repeats = true,
        },
        GroupObject,
        Description,
    ];

    public void Register(GrammarNode root)
    {
        var group = root.Keyword("object-group", "Create an object group for use in access-lists");
        var no = CommonWords.No(root).Keyword("object-group", "Delete an object group");

        group.Keyword("network", "Specifies a group of host or subnet IP addresses").Param(ParamType.Word, "name", "Object group name (up to 64 characters)")
            .Runs(ctx => Enter(ctx, NetworkMode), Privilege.Admin);
        var service = group.Keyword("service", "Specifies a group of TCP/UDP ports/services").Param(ParamType.Word, "name", "Object group name (up to 64 characters)")
            .Runs(ctx => Enter(ctx, ServiceMode), Privilege.Admin);
        foreach (var (protocol, help) in new[] { ("tcp", "TCP ports"), ("udp", "UDP ports"), ("tcp-udp", "Ports of both TCP and UDP") })
        {
            service.Keyword(protocol, help).Runs(ctx => Enter(ctx, ServiceMode), Privilege.Admin);
        }

        foreach (var kind in new[] { "network", "service" })
        {
            no.Keyword(kind, $"Delete a {kind} object group").Param(ParamType.Word, "name", "Object group name")
                .Runs(ctx => ConfigBlockEditor.RemoveBlockAsync(ctx, $"object-group {kind} {ctx.Get("name")}"), Privilege.Admin);
        }
        ConfigBlockEditor.RegisterMode(root, NetworkMode, NetworkCommands);
        ConfigBlockEditor.RegisterMode(root, ServiceMode, ServiceCommands);
    }

    // The header as the running config writes it: the typed words, keywords spelled out.
    private static CommandResult Enter(CommandContext ctx, string mode) =>
        ConfigBlockEditor.Enter(ctx, mode, ctx.Parsed.Expanded, ctx.Get("name"));
}
