using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands.Config;

/// <summary>
/// <c>object network NAME</c> (sub-mode <c>config-network-object</c>: <c>host</c>, <c>subnet</c>,
/// <c>range</c>, <c>description</c>) and <c>object service NAME</c>
/// (<c>config-service-object</c>: <c>service</c>, <c>description</c>); <c>no object … NAME</c>
/// deletes one, refused while an access-list or group still uses it.
/// </summary>
public sealed class ObjectConfigCommand : ICommandModule
{
    public const string NetworkMode = "config-network-object";
    public const string ServiceMode = "config-service-object";

    private static readonly string[] Address = ["host", "subnet", "range"];

    private static readonly BlockCommand[] NetworkCommands =
    [
        new("host", "Enter this keyword to specify a single host object") { Argument = ParamType.IpAddress, ArgumentHelp = "IPv4 or IPv6 address", Replaces = Address },
        new("subnet", "Enter this keyword to specify a subnet") { Argument = ParamType.Line, ArgumentHelp = "IPv4 address and mask, or IPv6 prefix/length", Replaces = Address },
        new("range", "Enter this keyword to specify a range") { Argument = ParamType.Line, ArgumentHelp = "First and last address of the range", Replaces = Address },
        new("description", "Specify a description for this object") { Argument = ParamType.Line, ArgumentHelp = "Up to 200 characters" },
    ];

    private static readonly BlockCommand[] ServiceCommands =
    [
        new("service", "Specify a protocol and ports") { Argument = ParamType.Line, ArgumentHelp = "{tcp|udp|icmp|icmp6|ip|NUMBER} [source OP PORT] [destination OP PORT]" },
        new("description", "Specify a description for this object") { Argument = ParamType.Line, ArgumentHelp = "Up to 200 characters" },
    ];

    public void Register(GrammarNode root)
    {
        var obj = root.Keyword("object", "Configure an object");
        var no = CommonWords.No(root).Keyword("object", "Delete an object");
        foreach (var (kind, mode, help, commands) in new[]
        {
            ("network", NetworkMode, "Specifies a host, subnet or range IP addresses", NetworkCommands),
            ("service", ServiceMode, "Specifies a protocol/port", ServiceCommands),
        })
        {
            obj.Keyword(kind, help).Param(ParamType.Word, "name", "Object name (up to 64 characters)")
                .Runs(ctx => ConfigBlockEditor.Enter(ctx, mode, $"object {kind} {ctx.Get("name")}", ctx.Get("name")), Privilege.Admin);
            no.Keyword(kind, help).Param(ParamType.Word, "name", "Object name")
                .Runs(ctx => ConfigBlockEditor.RemoveBlockAsync(ctx, $"object {kind} {ctx.Get("name")}"), Privilege.Admin);
            ConfigBlockEditor.RegisterMode(root, mode, commands);
        }
    }
}
