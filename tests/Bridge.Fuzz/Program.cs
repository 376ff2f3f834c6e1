using Bridge.Fuzz.Targets;
using SharpFuzz;

namespace Bridge.Fuzz;

/// <summary>
/// The fuzz harness. <c>Bridge.Fuzz TARGET</c> under libFuzzer (our driver, scripts/fuzz) or
/// afl-fuzz runs the persistent loop SharpFuzz offers for that engine; <c>Bridge.Fuzz TARGET
/// PATH...</c> replays files and folders (corpus, findings) once each and exits 1 at the first
/// input that crashes, printing it (replay runs the plain build: instrumented assemblies need
/// the fuzzer's shared memory). Targets: frame, config, rules, grammar, pcap.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || !Names.Contains(args[0]))
        {
            Console.Error.WriteLine("usage: Bridge.Fuzz frame|config|rules|grammar|pcap [INPUT-FILE-OR-DIR...]");
            return 2;
        }
        string name = args[0];
        // Under a fuzzer the target is built inside the loop: instrumented code may only run once
        // SharpFuzz has mapped the shared edge map, and building a target runs plenty of it.
        IFuzzTarget? target = null;
        if (args.Length == 1 && Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") is not null)
        {
            Fuzzer.LibFuzzer.Run(input => (target ??= Create(name)).Run(input));
            return 0;
        }
        if (args.Length == 1 && Environment.GetEnvironmentVariable("__AFL_SHM_ID") is not null)
        {
            var buffer = new MemoryStream();
            Fuzzer.Run(stream =>
            {
                buffer.SetLength(0);
                stream.CopyTo(buffer);
                (target ??= Create(name)).Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            });
            return 0;
        }
        return Replay(Create(name), args[1..]);
    }

    internal static readonly string[] Names = ["frame", "config", "rules", "grammar", "pcap"];

    internal static IFuzzTarget Create(string name) => name switch
    {
        "frame" => new FrameTarget(LabConfig()),
        "config" => new ConfigTarget(),
        "rules" => new RulesTarget(),
        "grammar" => new GrammarTarget(LabConfig()),
        "pcap" => new PcapTarget(),
        _ => throw new ArgumentException($"unknown fuzz target {name}", nameof(name)),
    };

    /// <summary>config/lab.conf, embedded so that the harness runs from any copy of its output.</summary>
    internal static string LabConfig()
    {
        using var stream = typeof(Program).Assembly.GetManifestResourceStream("lab.conf")
            ?? throw new InvalidOperationException("lab.conf is not embedded in the harness");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int Replay(IFuzzTarget target, string[] paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(Directory.GetFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else files.Add(path);
        }
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"{target.Name}: {file} crashes: {e}");
                return 1;
            }
        }
        Console.WriteLine($"{target.Name}: replayed {files.Count} inputs, no crash");
        return 0;
    }
}
