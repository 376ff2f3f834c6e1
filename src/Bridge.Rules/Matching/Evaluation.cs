using System.Runtime.CompilerServices;
using Bridge.Packets;

namespace Bridge.Rules.Matching;

/// <summary>The buffers a content or pcre can look at; sticky buffers in Snort 3, modifiers in Snort 2.</summary>
public enum BufferId : byte
{
    /// <summary>The packet payload (pkt_data, raw_data: Bridge does no payload normalization, so both are the same bytes).</summary>
    Packet,
    HttpUri,
    HttpRawUri,
    HttpMethod,
    HttpHeader,
    HttpRawHeader,
    HttpCookie,
    HttpRawCookie,
    HttpClientBody,
    HttpStatCode,
    HttpStatMsg,
    HttpHost,
    HttpUserAgent,
    /// <summary>HTTP response body when there is one, otherwise the whole payload.</summary>
    FileData,
    Count,
}

[InlineArray((int)BufferId.Count)]
internal struct CursorArray
{
    private int _element;
}

/// <summary>Values of byte_extract variables (Snort allows two per rule; eight leaves room).</summary>
[InlineArray(MaxVariables)]
internal struct VariableArray
{
    public const int MaxVariables = 8;
    private int _element;
}

/// <summary>
/// Everything one rule evaluation reads and the cursor state it moves. Lives on the stack; the
/// char scratch (for pcre) and the flow's bits are spans over memory the inspector owns.
/// </summary>
internal ref struct Evaluation
{
    public ReadOnlySpan<byte> Frame;
    public ref readonly FrameInfo Info;
    public ReadOnlySpan<byte> Payload;
    /// <summary>The HTTP buffers, located on first use: most candidates read the whole payload only.</summary>
    private HttpBuffers _http;
    private bool _httpLocated;
    public bool ToServer;
    public bool HasFlow;
    public bool Established;
    /// <summary>This flow's flowbits; empty when the packet has no flow.</summary>
    public Span<ulong> FlowBits;
    public CursorArray Cursors;
    public VariableArray Variables;
    /// <summary>How many more relative-content retries this rule evaluation may spend (bounds pathological rules).</summary>
    public int RetryBudget;

    private Span<char> _chars;
    private bool _charsReady;

    /// <param name="payload">The frame's payload as <see cref="PayloadOf"/> gives it.</param>
    public Evaluation(ReadOnlySpan<byte> frame, ref readonly FrameInfo info, ReadOnlySpan<byte> payload, Span<char> charScratch)
    {
        Frame = frame;
        Info = ref info;
        Payload = payload;
        _chars = charScratch;
    }

    /// <summary>The L4 payload inside the frame (clipped to the captured bytes); empty when there is none.</summary>
    public static ReadOnlySpan<byte> PayloadOf(ReadOnlySpan<byte> frame, ref readonly FrameInfo info) =>
        info.PayloadOffset >= 0 && info.PayloadLength > 0
            ? frame.Slice(info.PayloadOffset, Math.Min(info.PayloadLength, frame.Length - info.PayloadOffset))
            : [];

    public const int RetryLimit = 256;

    /// <summary>Prepares for the next rule: cursors at the buffer starts, fresh retry budget.</summary>
    public void StartRule()
    {
        ((Span<int>)Cursors).Clear();
        RetryBudget = RetryLimit;
    }

    public ReadOnlySpan<byte> Buffer(BufferId id)
    {
        var (start, length) = Range(id);
        return length < 0 ? default : Payload.Slice(start, length);
    }

    public bool HasBuffer(BufferId id) => Range(id).Length >= 0;

    private (int Start, int Length) Range(BufferId id)
    {
        if (id == BufferId.Packet) return (0, Payload.Length);
        if (!_httpLocated)
        {
            _http = HttpBuffers.Locate(Payload);
            _httpLocated = true;
        }
        return _http.Range(id, Payload.Length);
    }

    /// <summary>The buffer as Latin-1 chars (one char per byte, same offsets) for .NET regex.</summary>
    public ReadOnlySpan<char> Chars(BufferId id)
    {
        if (!_charsReady)
        {
            int n = Math.Min(Payload.Length, _chars.Length);
            System.Text.Encoding.Latin1.GetChars(Payload.Slice(0, n), _chars);
            _charsReady = true;
        }
        var (start, length) = Range(id);
        if (length < 0) return default;
        int end = Math.Min(start + length, _chars.Length);
        return start >= end ? [] : _chars.Slice(start, end - start);
    }
}
