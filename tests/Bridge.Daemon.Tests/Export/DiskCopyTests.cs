namespace Bridge.Daemon.Tests.Export;

/// <summary><c>copy … disk:</c> and the command's own errors.</summary>
public sealed class DiskCopyTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Disk_writes_into_the_capture_directory()
    {
        using var bench = new CopyBench();
        await bench.PingCaptureAsync();

        var t = await bench.RunAsync("copy /pcap capture:CAPI disk:exports/CAPI.pcap");

        Assert.True(t.Result.Status == 0, t.Everything);
        Assert.Equal(["Source capture name [CAPI]? ", "Destination filename [exports/CAPI.pcap]? "], t.Prompts.Select(p => p.Prompt));
        string file = Path.Combine(bench.Paths.CaptureDirectory, "exports", "CAPI.pcap");
        Assert.Equal(await bench.PcapOfAsync("CAPI"), File.ReadAllBytes(file));
        Assert.Equal(8, Tshark.CountPackets(file));
        Assert.Equal("!", t.Streamed);
        // Group bridge may read exports whatever the daemon's umask (the unit sets 0077).
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Disk_refuses_paths_that_leave_the_capture_directory()
    {
        using var bench = new CopyBench();
        await bench.PingCaptureAsync();

        var t = await bench.RunAsync("copy /noconfirm /pcap capture:CAPI disk:../escape.pcap");

        Assert.Equal(1, t.Result.Status);
        Assert.Contains("outside the capture directory", t.Result.Text);
        Assert.False(File.Exists(Path.Combine(bench.Paths.StateDirectory, "escape.pcap")));
    }

    [Fact]
    public async Task Unknown_capture_and_bad_words_are_errors()
    {
        using var bench = new CopyBench();
        await bench.PingCaptureAsync();

        var missing = await bench.RunAsync("copy /noconfirm /pcap capture:NOPE disk:x.pcap");
        Assert.Equal("ERROR: Capture <NOPE> does not exist\n", missing.Result.Text);

        var extra = await bench.RunAsync("copy /pcap capture:CAPI ftp://u:Secret-9@127.0.0.1/x extra");
        Assert.Equal(1, extra.Result.Status);
        string shown = "copy /pcap capture:CAPI ftp://u:****@127.0.0.1/x extra";
        Assert.Equal(shown + "\n" + new string(' ', shown.IndexOf("extra", StringComparison.Ordinal)) + "^\nERROR: % Invalid input detected at '^' marker.\n", extra.Result.Text);

        var incomplete = await bench.RunAsync("copy /pcap capture:CAPI");
        Assert.Equal("% Incomplete command\n", incomplete.Result.Text);

        var scheme = await bench.RunAsync("copy /pcap capture:CAPI http://h/x");
        Assert.StartsWith("%Error: copy to 'http:' is not supported", scheme.Result.Text);
    }
}
