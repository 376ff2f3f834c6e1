using System.Net;
using Bridge.Daemon.Export;

namespace Bridge.Daemon.Tests.Export;

/// <summary><c>copy … tftp:</c> and <see cref="TftpClient"/> against Debian's tftpd-hpa on 127.0.0.1.</summary>
public sealed class TftpCopyTests
{
    private static ServerProcess StartTftpd(string root, int port, params string[] extra) =>
        StartTftpdCore(root, port, extra);

    private static ServerProcess StartTftpdCore(string root, int port, string[] extra)
    {
        var server = ServerProcess.Start("/usr/sbin/in.tftpd",
            [ "--foreground", "--address", $"127.0.0.1:{port}", "--create", "--secure", "-u", "root", .. extra, root ]);
        try
        {
            server.WaitUdp(port);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    [Fact]
    public async Task Copy_pcap_goes_through_the_dialog_and_arrives_byte_equal()
    {
        using var bench = new CopyBench();
        using var dir = new OpenDirectory("bridge-tftp-");
        int port = FreePort.Udp();
        using var tftpd = StartTftpd(dir.Path, port);
        await bench.PingCaptureAsync();

        var t = await bench.RunAsync($"copy /pcap capture:CAPI tftp://127.0.0.1:{port}");
        Assert.True(t.Result.Status == 0, t.Everything + tftpd.Output);
        Assert.Equal(
            ["Source capture name [CAPI]? ", "Address or name of remote host [127.0.0.1]? ", "Destination filename [CAPI]? "],
            t.Prompts.Select(p => p.Prompt));
        Assert.Matches(@"^!+$", t.Streamed);
        Assert.Matches(@"^\n8 packets copied in \d+\.\d{3} secs( \(\d+ packets/sec\))?\n$", t.Result.Text);
        Assert.Equal(await bench.PcapOfAsync("CAPI"), File.ReadAllBytes(dir.Combine("CAPI")));
        Assert.Equal(8, Tshark.CountPackets(dir.Combine("CAPI")));
    }

    [Fact]
    public async Task Answers_change_the_file_and_a_non_interactive_caller_takes_the_defaults()
    {
        using var bench = new CopyBench();
        using var dir = new OpenDirectory("bridge-tftp-");
        int port = FreePort.Udp();
        using var tftpd = StartTftpd(dir.Path, port);
        await bench.PingCaptureAsync();

        var answered = await bench.RunAsync($"copy /pcap capture:CAPI tftp://127.0.0.1:{port}/first.pcap", "", "", "second.pcap");
        Assert.True(answered.Result.Status == 0, answered.Everything);
        Assert.Equal("Destination filename [first.pcap]? ", answered.Prompts[2].Prompt);
        Assert.True(File.Exists(dir.Combine("second.pcap")));
        Assert.False(File.Exists(dir.Combine("first.pcap")));

        var batch = await bench.RunAsync($"copy /pcap capture:CAPI tftp://127.0.0.1:{port}/first.pcap", interactive: false);
        Assert.True(batch.Result.Status == 0, batch.Everything);
        Assert.Equal(await bench.PcapOfAsync("CAPI"), File.ReadAllBytes(dir.Combine("first.pcap")));
    }

    [Fact]
    public async Task Client_negotiates_blksize()
    {
        using var dir = new OpenDirectory("bridge-tftp-");
        int port = FreePort.Udp();
        using var tftpd = StartTftpd(dir.Path, port);
        byte[] data = new byte[200_000];
        Random.Shared.NextBytes(data);

        var result = await new TftpClient().WriteAsync(new IPEndPoint(IPAddress.Loopback, port), "blk.bin", new MemoryStream(data), null, CancellationToken.None);

        Assert.Equal(1428, result.BlockSize);
        Assert.Equal(data.Length / 1428 + 1, result.Blocks);
        Assert.Equal(data, File.ReadAllBytes(dir.Combine("blk.bin")));
    }

    [Fact]
    public async Task Client_falls_back_to_512_when_the_server_refuses_blksize()
    {
        using var dir = new OpenDirectory("bridge-tftp-");
        int port = FreePort.Udp();
        using var tftpd = StartTftpd(dir.Path, port, "--refuse", "blksize");
        // An exact multiple of the block size ends with an empty block.
        byte[] data = new byte[512 * 20];
        Random.Shared.NextBytes(data);

        var result = await new TftpClient().WriteAsync(new IPEndPoint(IPAddress.Loopback, port), "plain.bin", new MemoryStream(data), null, CancellationToken.None);

        Assert.Equal(512, result.BlockSize);
        Assert.Equal(21, result.Blocks);
        Assert.Equal(data, File.ReadAllBytes(dir.Combine("plain.bin")));
    }

    [Fact]
    public async Task Server_error_text_is_surfaced()
    {
        using var bench = new CopyBench();
        using var dir = new OpenDirectory("bridge-tftp-");
        int port = FreePort.Udp();
        using var tftpd = StartTftpd(dir.Path, port);
        await bench.PingCaptureAsync();

        var t = await bench.RunAsync($"copy /noconfirm /pcap capture:CAPI tftp://127.0.0.1:{port}/no/such/dir/CAPI.pcap");

        Assert.Equal(1, t.Result.Status);
        // tftpd-hpa answers a missing directory with error 1 and its text.
        Assert.Equal($"%Error writing tftp://127.0.0.1:{port}/no/such/dir/CAPI.pcap (File not found)\n", t.Result.Text);
    }

    [Fact]
    public async Task Timeout_when_nobody_answers()
    {
        int port = FreePort.Udp();
        var client = new TftpClient { BlockTimeout = TimeSpan.FromMilliseconds(100), Retries = 2 };
        var e = await Assert.ThrowsAsync<TftpException>(() =>
            client.WriteAsync(new IPEndPoint(IPAddress.Loopback, port), "x", new MemoryStream(new byte[10]), null, CancellationToken.None));
        Assert.Equal("Timed out", e.Message);
    }

    [Fact]
    public async Task Capture_over_32_MiB_wraps_the_block_number_at_512_byte_blocks()
    {
        using var bench = new CopyBench();
        using var dir = new OpenDirectory("bridge-tftp-");
        int port = FreePort.Udp();
        using var tftpd = StartTftpd(dir.Path, port, "--refuse", "blksize");
        await bench.FullCaptureAsync();
        byte[] expected = await bench.PcapOfAsync("BIG");
        Assert.True(expected.Length > 65535L * 512, $"pcap is only {expected.Length} bytes");

        var t = await bench.RunAsync($"copy /noconfirm /pcap capture:BIG tftp://127.0.0.1:{port}/big.pcap");

        Assert.True(t.Result.Status == 0, t.Result.Text + tftpd.Output);
        Assert.Equal(expected.Length, new FileInfo(dir.Combine("big.pcap")).Length);
        Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(dir.Combine("big.pcap"))));
        Assert.Equal(await bench.PacketCountAsync("BIG"), Tshark.CountPackets(dir.Combine("big.pcap")));
        Assert.Equal((expected.Length + 2047) / 2048, t.Streamed.Length);
    }
}
