using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Commands.Clear;
using Bridge.Daemon.Commands.Config;
using Bridge.Daemon.Commands.Copy;
using Bridge.Daemon.Commands.Grammar;
using Bridge.Daemon.Commands.Http;
using Bridge.Daemon.Commands.PacketTracer;
using Bridge.Daemon.Commands.Show;
using Bridge.Daemon.Commands.Snort;

namespace Bridge.Daemon.Commands;

/// <summary>The one registration list: every command of the admin grammar. A new command is a file under Commands/ and a line here.</summary>
public static class CommandCatalogue
{
    public static IReadOnlyList<ICommandModule> Modules { get; } =
    [
        new ShowVersionCommand(),
        new ShowConnCommand(),
        new ShowServicePolicyCommand(),
        new ShowAspDropCommand(),
        new ShowAccessListCommand(),
        new ShowInterfaceCommand(),
        new ShowMacAddressTableCommand(),
        new ShowRunningConfigCommand(),
        new ClearAspDropCommand(),
        new ClearConnCommand(),
        new ClearAccessListCommand(),
        new ClearMacAddressTableCommand(),
        new ConfigureTerminalCommand(),
        new InterfaceConfigCommand(),
        new ObjectConfigCommand(),
        new ObjectGroupConfigCommand(),
        new AccessListConfigCommand(),
        new AccessGroupConfigCommand(),
        new TimeoutConfigCommand(),
        new PolicyMapConfigCommand(),
        new MacAgingConfigCommand(),
        new WriteMemoryCommand(),
        new PacketTracerCommand(),
        new CaptureCommand(),
        new ShowCaptureCommand(),
        new ClearCaptureCommand(),
        new ShowSnortStatisticsCommand(),
        new ShowSnortRulesCommand(),
        new SnortReloadCommand(),
        new HttpConfigCommand(),
        new LoggingConfigCommand(),
        new UsernameConfigCommand(),
        new DebugHttpCommand(),
        new ShowCryptoCommand(),
        new ShowCurprivCommand(),
        new CopyCommand(),
        new CaptureTraffic.CaptureTrafficCommand(),
#if FAULT_INJECTION
        new Debug.DebugFaultCommand(),
#endif
    ];

    public static CommandTree BuildTree() => CommandTree.Build(Modules);

    public static CommandTree BuildTree(IEnumerable<ICommandModule> modules) => CommandTree.Build(modules);
}
