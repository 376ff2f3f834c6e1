namespace Bridge.Pipeline.Tests.Fuzz;

/// <summary>
/// Deterministic input mutation for the smoke fuzzers: bit flips, interesting bytes, truncation,
/// extension, duplicated or removed runs — the damage a hostile peer or a broken file does. A fixed
/// seed makes every failure reproducible from its round number.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x05, 0x06, 0x08, 0x11, 0x3a, 0x45, 0x60, 0x7f, 0x80, 0x81, 0x86, 0xdd, 0xfe, 0xff];

    public Random Random { get; } = new(seed);

    /// <summary>Writes a damaged copy of <paramref name="input"/> into <paramref name="output"/>; returns its length.</summary>
    public int Mutate(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var r = Random;
        int len = Math.Min(input.Length, output.Length);
        input[..len].CopyTo(output);
        int edits = 1 + r.Next(4);
        for (int e = 0; e < edits; e++)
        {
            switch (r.Next(7))
            {
                case 0 when len > 0:
                    output[r.Next(len)] ^= (byte)(1 << r.Next(8));
                    break;
                case 1 when len > 0:
                    output[r.Next(len)] = Interesting[r.Next(Interesting.Length)];
                    break;
                case 2:
                    len = r.Next(len + 1);
                    break;
                case 3 when len < output.Length:
                    {
                        int add = Math.Min(output.Length - len, 1 + r.Next(64));
                        r.NextBytes(output.Slice(len, add));
                        len += add;
                        break;
                    }
                case 4 when len > 4:
                    {
                        // Copy a run elsewhere (repeated headers, VLAN stacks, option bombs).
                        int from = r.Next(len - 2), count = 1 + r.Next(Math.Min(16, len - from - 1)), to = r.Next(len - count);
                        output.Slice(from, count).CopyTo(output.Slice(to, count));
                        break;
                    }
                case 5 when len > 2:
                    {
                        // A 16-bit length or type field set to an edge value.
                        int at = r.Next(len - 1);
                        ushort v = (ushort)(r.Next(3) switch { 0 => 0, 1 => 0xffff, _ => r.Next(0x10000) });
                        output[at] = (byte)(v >> 8);
                        output[at + 1] = (byte)v;
                        break;
                    }
                default:
                    if (len > 0) output[r.Next(len)] = (byte)r.Next(256);
                    break;
            }
        }
        return len;
    }

    /// <summary>A damaged copy of a text: characters dropped, doubled, replaced or lines swapped.</summary>
    public string Mutate(string text)
    {
        var r = Random;
        var chars = new System.Text.StringBuilder(text);
        int edits = 1 + r.Next(6);
        const string alphabet = " \t\n!#-./0123456789:;=?ABCZabcdefghijklmnopqrstuvwxyz\"'()[]{}|\\$^*+,<>~\u00e9\u0000";
        for (int e = 0; e < edits && chars.Length > 0; e++)
        {
            int at = r.Next(chars.Length);
            switch (r.Next(4))
            {
                case 0: chars.Remove(at, Math.Min(chars.Length - at, 1 + r.Next(8))); break;
                case 1: chars.Insert(at, alphabet[r.Next(alphabet.Length)]); break;
                case 2: chars[at] = alphabet[r.Next(alphabet.Length)]; break;
                default: chars.Insert(at, chars.ToString(at, Math.Min(chars.Length - at, 1 + r.Next(12)))); break;
            }
        }
        return chars.ToString();
    }
}
