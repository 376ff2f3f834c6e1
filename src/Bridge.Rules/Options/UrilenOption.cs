using Bridge.Rules.Parsing;

namespace Bridge.Rules.Options;

/// <summary><c>urilen</c>: compares the length of the HTTP URI (the raw URI: Bridge does not normalize).</summary>
internal static class UrilenOption
{
    public static void Parse(string value, RuleBuilder b)
    {
        // The optional ",norm" / ",raw" selects the URI form; Bridge has only the raw one.
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0) value = value[..comma];
        b.Add(new FieldTestOption(PacketField.UriLength, NumericTest.Parse(value, b, 65535)));
    }
}
