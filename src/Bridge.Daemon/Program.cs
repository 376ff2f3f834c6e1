using Bridge.Capture;
using Bridge.Daemon.Admin;
using Bridge.Daemon.Commands.Capture;
using Bridge.Daemon.Events;
using Bridge.Daemon.Forwarding;
using Bridge.Daemon.Metrics;
using Bridge.Io;
using Bridge.Io.AfPacket;
using Bridge.Io.Pcap;
using Bridge.Daemon.Hosting;
using Bridge.Daemon.Replay;
using Bridge.Daemon.Runtime;
using Bridge.Pipeline.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bridge.Daemon;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "replay")
            return ReplayCommand.Run(args.AsSpan(1).ToArray(), Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "snort") return Snort.SnortCommand.Run(args.AsSpan(1).ToArray(), Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "tcpdump") return Tcpdump.TcpdumpCommand.Run(args.AsSpan(1).ToArray(), Console.Out, Console.Error);
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            Console.Out.Write(Usage);
            return 0;
        }
        if (BadArgument(args) is { } bad)
        {
            Console.Error.WriteLine($"bridged: {bad}");
            Console.Error.Write(Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // appsettings.json beside the binary, never from whatever directory bridged was started in.
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "bridged",
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        builder.Services.AddSystemd();
        // AddSystemd registers the notifier only under systemd; ours talk to it either way (IsEnabled tells).
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        if (!SystemdHelpers.IsSystemdService())
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            // stdout carries only the ready line, so scripts can wait for it.
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        var section = builder.Configuration.GetSection("Bridge");
        string configPath = section["Config"] ?? DefaultConfigPath();
        BridgeConfig config;
        try
        {
            config = BridgeConfig.Load(configPath);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"bridged: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bridged: cannot read the configuration {configPath}: {e.Message}");
            Console.Error.WriteLine("bridged: give one with --config FILE; to try Bridge without NICs, run 'scripts/lab up' from a checkout (README.md).");
            return 1;
        }
        string? cpuError = null;
        int[]? workerCpus = section["WorkerCpus"] is { Length: > 0 } cpuList ? RealtimeScheduling.ParseCpuList(cpuList, out cpuError) : [];
        if (workerCpus is null)
        {
            Console.Error.WriteLine($"bridged: WorkerCpus: {cpuError}");
            return 2;
        }
        var options = new DataPlaneOptions
        {
            Workers = section.GetValue("Workers", 0),
            FlowTableSize = section.GetValue("FlowTableSize", 65536),
            WorkerPriority = section.GetValue("WorkerPriority", DataPlaneOptions.DefaultWorkerPriority),
            WorkerCpus = workerCpus,
            AfPacket = section.GetSection("AfPacket").Get<AfPacketOptions>() ?? new AfPacketOptions(),
            Pcap = section.GetSection("Pcap").Get<PcapPortOptions>() ?? new PcapPortOptions(),
        };
        if (options.Workers < 0 || options.FlowTableSize < 1024 || options.WorkerPriority is < 0 or > RealtimeScheduling.MaxPriority)
        {
            Console.Error.WriteLine($"bridged: Workers must be 0 (one per processor) or more, FlowTableSize at least 1024, WorkerPriority 0 (time-shared) to {RealtimeScheduling.MaxPriority}");
            return 2;
        }

        builder.Services.AddSingleton(sp => new DataPlane(config, configPath, options, sp.GetRequiredService<ILogger<DataPlane>>()));
        builder.Services.AddSingleton<IBridgeRuntime>(sp => sp.GetRequiredService<DataPlane>());
        builder.Services.AddHostedService<DataPlaneService>();
        builder.Services.AddHostedService<HangupReloadService>();
        builder.Services.AddHostedService<WatchdogService>();
        builder.Services.AddHostedService<DeviceMonitorService>();
        // After the data plane: the socket answers only once there is a bridge to ask about.
        builder.Services.AddAdminSocket();
        var events = section.GetSection("Events").Get<EventPumpOptions>() ?? new EventPumpOptions();
        builder.Services.AddSingleton(events with { AlertDirectory = events.AlertDirectory ?? HostPaths.From(builder.Configuration).StateDirectory });
        builder.Services.AddSingleton<EventPump>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventPump>());
        builder.Services.AddSingleton<BridgeMetrics>();
        builder.Services.AddHostedService<MetricsServer>();
        builder.Services.AddHostedService<Http.HttpsServer>();

        using var host = builder.Build();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (DataPlaneStartException e)
        {
            Console.Error.WriteLine($"bridged: {e.Message}");
            return 1;
        }
        // After start: the capture registry sizes its per-worker rings from the running workers.
        var dataPlane = host.Services.GetRequiredService<DataPlane>();
        CaptureStore.Configure(dataPlane, section.GetValue("Capture:MemoryLimit", CaptureRegistry.DefaultMemoryLimit));
        CaptureStore.Restore(dataPlane, host.Services.GetRequiredService<Commands.ControlPlaneState>().Paths.CaptureRingDirectory, host.Services.GetRequiredService<ILogger<CaptureRegistry>>());
        // READY=1 here, not only from SystemdLifetime: that lifetime is installed only when .NET
        // recognises its parent as systemd, and readiness must not depend on that guess.
        var notifier = host.Services.GetRequiredService<ISystemdNotifier>();
        if (notifier.IsEnabled)
            notifier.Notify(ServiceState.Ready);
        Console.Out.WriteLine($"bridged: ready: {dataPlane.Describe()}");
        Console.Out.Flush();
        await host.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--config"] = "Bridge:Config",
        ["--workers"] = "Bridge:Workers",
        ["--worker-priority"] = "Bridge:WorkerPriority",
        ["--worker-cpus"] = "Bridge:WorkerCpus",
        ["--admin-socket"] = "Bridge:AdminSocket",
    };

    private static string? BadArgument(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string name = a.Contains('=') ? a[..a.IndexOf('=')] : a;
            if (!SwitchMappings.ContainsKey(name))
                return $"unknown argument '{a}'";
            if (!a.Contains('=') && ++i >= args.Length)
                return $"{a} needs a value";
        }
        return null;
    }

    // systemd's ConfigurationDirectory= says where /etc/bridge is; otherwise the FHS place.
    private static string DefaultConfigPath()
    {
        string? dir = Environment.GetEnvironmentVariable("CONFIGURATION_DIRECTORY");
        return Path.Combine(string.IsNullOrEmpty(dir) ? "/etc/bridge" : dir.Split(':')[0], "bridge.conf");
    }

    private const string Usage = """
        Usage:
          bridged [--config FILE] [--workers N] [--worker-priority P] [--worker-cpus LIST] [--admin-socket PATH]
              Bridges the interfaces named in FILE (default /etc/bridge/bridge.conf, or
              $CONFIGURATION_DIRECTORY/bridge.conf under systemd) with N workers (default: one per
              processor) scheduled SCHED_FIFO at priority P (default 10; 0 = time-shared), worker i
              pinned to the i-th CPU of LIST (e.g. 1 or 2-3; default: not pinned).
              Prints 'bridged: ready: ...' on stdout once forwarding; logs go to stderr.
              SIGHUP re-reads FILE (a bad file changes nothing), SIGTERM drains and exits.
              Settings can also come from environment variables (Bridge__Workers=2).
              To try it without NICs: scripts/lab up (network-namespace lab, see README.md).

          bridged tcpdump -r FILE [-n] [-e] [-v|-vv] [-q] [-x|-X] [-c N] [-s N] [-w OUT] [EXPRESSION]
              Prints a pcap or pcapng file exactly as tcpdump 4.99 does, filtered by the same BPF
              expression (libpcap), so capture-traffic output can be checked against tcpdump.

          bridged snort -r FILE.pcap -R RULES... [-A fast|json] [-c bridge.conf] [--rejections]
              Runs the Snort-compatible rules engine over a pcap with flow tracking (offline): alerts on
              stdout in alert_fast or alert_json form; on stderr a summary starting with
              'rules: N loaded, M rejected' and the rejections by reason. -R takes files or folders.

          bridged replay --config FILE --inside IN.pcap [--outside OUT.pcap] --write-dir DIR [--trace N]
              Runs the whole pipeline over the frames of IN.pcap (arriving on INSIDE) and OUT.pcap
              (arriving on OUTSIDE), merged by timestamp. Writes what each side transmits to
              DIR/inside-tx.pcap and DIR/outside-tx.pcap, and a report (show asp drop, show conn,
              show access-list) to DIR/report.txt. --trace N prints the trace of the first N packets.

        """;
}
