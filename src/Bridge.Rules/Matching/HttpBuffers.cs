using System.Runtime.CompilerServices;

namespace Bridge.Rules.Matching;

/// <summary>
/// Where the HTTP buffers lie inside one packet's payload: request line and headers of a request,
/// status line and headers of a response, and the body after the blank line. Per packet, without
/// stream reassembly or URI normalization: every buffer is a slice of the payload, which is what
/// lets the fast-pattern scan of the payload find candidates for HTTP contents too.
/// </summary>
internal struct HttpBuffers
{
    private RangeArray _starts;
    private RangeArray _lengths;

    [InlineArray((int)BufferId.Count)]
    private struct RangeArray
    {
        private int _element;
    }

    public bool IsRequest;
    public bool IsResponse;

    /// <summary>Start and length of a buffer; length -1 when the packet does not have it.</summary>
    public readonly (int Start, int Length) Range(BufferId id, int payloadLength)
    {
        if (id == BufferId.Packet) return (0, payloadLength);
        if (id == BufferId.FileData && !IsResponse) return (0, payloadLength);
        int len = _lengths[(int)id];
        return len == 0 && _starts[(int)id] == -1 ? (0, -1) : (_starts[(int)id], len);
    }

    private void Set(BufferId id, int start, int length)
    {
        _starts[(int)id] = start;
        _lengths[(int)id] = length;
    }

    public static HttpBuffers Locate(ReadOnlySpan<byte> p)
    {
        var h = default(HttpBuffers);
        ((Span<int>)h._starts).Fill(-1);
        if (p.Length < 10) return h;
        int lineEnd = p.IndexOf((byte)'\n');
        if (lineEnd < 0) lineEnd = p.Length;
        var line = p.Slice(0, lineEnd);
        if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
        int headersStart = Math.Min(lineEnd + 1, p.Length);
        if (line.StartsWith("HTTP/1."u8))
        {
            h.IsResponse = true;
            int sp = line.IndexOf((byte)' ');
            if (sp > 0 && sp + 4 <= line.Length)
            {
                h.Set(BufferId.HttpStatCode, sp + 1, 3);
                int msg = sp + 5;
                if (msg <= line.Length) h.Set(BufferId.HttpStatMsg, msg, line.Length - msg);
            }
        }
        else
        {
            int sp = line.IndexOf((byte)' ');
            if (sp <= 0 || !IsMethod(line.Slice(0, sp))) return h;
            int uriEnd = line.LastIndexOf(" HTTP/"u8);
            if (uriEnd <= sp) uriEnd = line.Length;
            h.IsRequest = true;
            h.Set(BufferId.HttpMethod, 0, sp);
            h.Set(BufferId.HttpUri, sp + 1, Math.Max(0, uriEnd - sp - 1));
            h.Set(BufferId.HttpRawUri, sp + 1, Math.Max(0, uriEnd - sp - 1));
        }
        int blank = p.Slice(headersStart).IndexOf("\r\n\r\n"u8);
        int headersEnd = blank < 0 ? p.Length : headersStart + blank + 2;
        h.Set(BufferId.HttpHeader, headersStart, headersEnd - headersStart);
        h.Set(BufferId.HttpRawHeader, headersStart, headersEnd - headersStart);
        if (blank >= 0)
        {
            int body = headersStart + blank + 4;
            h.Set(h.IsRequest ? BufferId.HttpClientBody : BufferId.FileData, body, p.Length - body);
        }
        var headers = p.Slice(headersStart, headersEnd - headersStart);
        h.SetHeaderValue(headers, headersStart, "cookie:"u8, BufferId.HttpCookie);
        h.SetHeaderValue(headers, headersStart, "cookie:"u8, BufferId.HttpRawCookie);
        h.SetHeaderValue(headers, headersStart, "host:"u8, BufferId.HttpHost);
        h.SetHeaderValue(headers, headersStart, "user-agent:"u8, BufferId.HttpUserAgent);
        return h;
    }

    private static bool IsMethod(ReadOnlySpan<byte> token)
    {
        if (token.Length > 16) return false;
        foreach (byte b in token)
        {
            if (b is < (byte)'A' or > (byte)'Z' and not (byte)'-' and not (byte)'_') return false;
        }
        return true;
    }

    /// <summary>Finds a header by name (case-insensitive, at a line start) and records its value without leading blanks.</summary>
    private void SetHeaderValue(ReadOnlySpan<byte> headers, int baseOffset, ReadOnlySpan<byte> name, BufferId id)
    {
        int pos = 0;
        while (pos < headers.Length)
        {
            int nl = headers.Slice(pos).IndexOf((byte)'\n');
            int end = nl < 0 ? headers.Length : pos + nl;
            var line = headers.Slice(pos, end - pos);
            if (line.Length >= name.Length && System.Text.Ascii.EqualsIgnoreCase(line.Slice(0, name.Length), name))
            {
                int v = name.Length;
                while (v < line.Length && line[v] is (byte)' ' or (byte)'\t') v++;
                int vend = line.Length;
                if (vend > v && line[vend - 1] == '\r') vend--;
                Set(id, baseOffset + pos + v, vend - v);
                return;
            }
            pos = end + 1;
        }
    }
}
