using Bridge.Packets.Pcap;

namespace Bridge.Fuzz.Targets;

/// <summary>
/// <c>pcap</c>: the input as a pcap or pcapng file read to its end. Expected:
/// <see cref="PcapFormatException"/> for a damaged file; otherwise every record lies within the
/// input and there are no more records than bytes (a reader that loops would exceed that).
/// </summary>
internal sealed class PcapTarget : IFuzzTarget
{
    public string Name => "pcap";

    public void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        try
        {
            using var reader = new PcapReader(new MemoryStream(bytes, writable: false));
            int records = 0;
            while (reader.TryReadNext(out var record))
            {
                if (record.Data.Length > bytes.Length)
                    throw new FuzzInvariantException($"record of {record.Data.Length} bytes from a {bytes.Length}-byte file");
                if (++records > bytes.Length)
                    throw new FuzzInvariantException("more records than bytes: the reader loops");
            }
        }
        catch (PcapFormatException)
        {
            // A damaged file, refused with its offset: the documented outcome.
        }
    }
}
