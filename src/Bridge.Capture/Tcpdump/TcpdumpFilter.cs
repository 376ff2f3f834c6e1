using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Bridge.Capture.Tcpdump;

/// <summary>
/// A tcpdump filter expression compiled by libpcap for Ethernet frames (SharpPcap's
/// <see cref="BpfProgram"/>). An empty expression matches every frame without a program.
/// <see cref="Matches"/> runs the BPF interpreter over the frame; libpcap's wrapper may allocate, so
/// it belongs on a control or session thread, never on a worker.
/// </summary>
public sealed class TcpdumpFilter : IDisposable
{
    private readonly BpfProgram? _program;

    public string Expression { get; }

    private TcpdumpFilter(string expression, BpfProgram? program)
    {
        Expression = expression;
        _program = program;
    }

    /// <summary>
    /// Compiles <paramref name="expression"/> as tcpdump does for a capture file (optimised, netmask
    /// unknown). A bad expression raises <see cref="TcpdumpUsageException"/> with libpcap's message,
    /// which is what tcpdump prints after <c>tcpdump: </c>.
    /// </summary>
    public static TcpdumpFilter Compile(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return new TcpdumpFilter("", null);
        }
        try
        {
            return new TcpdumpFilter(expression, BpfProgram.Create(LinkLayers.Ethernet, expression));
        }
        catch (PcapException e)
        {
            throw new TcpdumpUsageException(e.Message);
        }
    }

    public bool MatchesEverything => _program is null;

    public bool Matches(ReadOnlySpan<byte> frame) => _program is null || _program.Matches(frame);

    public void Dispose() => _program?.Dispose();
}
