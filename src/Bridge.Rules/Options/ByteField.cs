using System.Globalization;
using Bridge.Rules.Matching;
using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary>
/// The "read N bytes at offset" part shared by byte_test, byte_jump and byte_extract: binary big
/// or little endian (1–4 bytes), or a decimal/hex/octal string (up to 10 bytes), optionally
/// relative to the cursor and masked with <c>bitmask</c> (shifted down by the mask's trailing zeros).
/// </summary>
internal sealed class ByteField
{
    public int Bytes;
    public IntArg Offset;
    public bool Relative;
    public bool LittleEndian;
    public int StringBase;
    public uint Bitmask;
    public BufferId Buffer;

    /// <summary>Reads the value; <paramref name="end"/> is the offset after the bytes read.</summary>
    public bool TryRead(ref Evaluation e, out long value, out int end)
    {
        value = 0;
        end = 0;
        if (!e.HasBuffer(Buffer)) return false;
        var buf = e.Buffer(Buffer);
        long pos = (Relative ? e.Cursors[(int)Buffer] : 0) + (long)Offset.Resolve(ref e);
        if (pos < 0 || pos + Bytes > buf.Length) return false;
        var bytes = buf.Slice((int)pos, Bytes);
        if (StringBase != 0)
        {
            int digits = 0;
            foreach (byte c in bytes)
            {
                int d = c switch
                {
                    >= (byte)'0' and <= (byte)'9' => c - '0',
                    >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                    >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                    _ => 99,
                };
                if (d >= StringBase) break;
                value = value * StringBase + d;
                digits++;
            }
            if (digits == 0) return false;
        }
        else if (LittleEndian)
        {
            for (int k = Bytes - 1; k >= 0; k--) value = (value << 8) | bytes[k];
        }
        else
        {
            foreach (byte c in bytes) value = (value << 8) | c;
        }
        if (Bitmask != 0)
        {
            value &= Bitmask;
            value >>= System.Numerics.BitOperations.TrailingZeroCount(Bitmask);
        }
        end = (int)pos + Bytes;
        return true;
    }

    /// <summary>
    /// Reads the flags common to the three options from <paramref name="args"/>; what it does not
    /// know is left for the caller (returned list).
    /// </summary>
    public static ByteField Parse(string bytes, string offset, IEnumerable<string> args, RuleBuilder b, List<string> rest)
    {
        var f = new ByteField { Bytes = OptionText.Int(bytes, "byte count"), Offset = IntArg.Parse(offset, b) };
        bool isString = false;
        foreach (string raw in args)
        {
            var (name, value) = OptionText.Pair(raw);
            switch (name)
            {
                case "relative": f.Relative = true; break;
                case "big": break;
                case "little": f.LittleEndian = true; break;
                case "string": isString = true; f.StringBase = 10; break;
                case "hex": f.StringBase = 16; break;
                case "dec": f.StringBase = 10; break;
                case "oct": f.StringBase = 8; break;
                case "bitmask":
                    string v = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
                    var style = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? NumberStyles.HexNumber : NumberStyles.None;
                    if (!uint.TryParse(v, style, CultureInfo.InvariantCulture, out f.Bitmask)) throw new RuleRejectedException("bad bitmask", value);
                    break;
                case "dce": throw new RuleRejectedException("byte_* dce needs the DCE/RPC preprocessor");
                default: rest.Add(raw); break;
            }
        }
        if (f.StringBase != 0 && !isString) throw new RuleRejectedException("hex/dec/oct without string");
        int max = isString ? 10 : 4;
        if (f.Bytes < 1 || f.Bytes > max) throw new RuleRejectedException("byte count out of range", bytes);
        f.Buffer = b.CurrentBuffer;
        return f;
    }
}
