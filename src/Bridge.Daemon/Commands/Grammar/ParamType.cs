using System.Globalization;
using Bridge.Packets;
using Bridge.Pipeline.Core;

namespace Bridge.Daemon.Commands.Grammar;

/// <summary>
/// The kind of value a parameter node takes. <see cref="Display"/> is what <c>?</c> prints in the
/// word column (FTD shows <c>WORD</c>, <c>A.B.C.D</c>, <c>&lt;1-720&gt;</c>, <c>LINE</c>).
/// Enumerated types (nameifs, list names) know their values from the running config, so they
/// complete with Tab and are matched exactly, never by prefix.
/// </summary>
public abstract class ParamType
{
    public abstract string Display { get; }

    /// <summary>True when the value is one of a known set (<see cref="Values"/>).</summary>
    public virtual bool Enumerated => false;

    /// <summary>True when the parameter takes the rest of the line, spaces included.</summary>
    public virtual bool TakesRest => false;

    public abstract bool Accepts(string token, RuntimeSnapshot? snapshot);

    public virtual IEnumerable<string> Values(RuntimeSnapshot? snapshot) => [];

    public static ParamType Word { get; } = new WordParam();
    public static ParamType IpAddress { get; } = new IpParam();
    public static ParamType Line { get; } = new LineParam();
    public static ParamType NameIf { get; } = new NameIfParam();
    public static ParamType AccessListName { get; } = new AccessListParam();

    public static ParamType Number(long min, long max) => new NumberParam(min, max);

    private sealed class WordParam : ParamType
    {
        public override string Display => "WORD";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => token.Length > 0;
    }

    private sealed class LineParam : ParamType
    {
        public override string Display => "LINE";

        public override bool TakesRest => true;

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => token.Length > 0;
    }

    private sealed class IpParam : ParamType
    {
        public override string Display => "A.B.C.D";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => IpAddr.TryParse(token, out _);
    }

    private sealed class NumberParam(long min, long max) : ParamType
    {
        public override string Display => $"<{min}-{max}>";

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) =>
            long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max;
    }

    private sealed class NameIfParam : ParamType
    {
        public override string Display => "WORD";

        public override bool Enumerated => true;

        // Nameifs are case-sensitive on FTD.
        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => snapshot is not null && snapshot.FindNameIf(token) >= 0;

        public override IEnumerable<string> Values(RuntimeSnapshot? snapshot)
        {
            if (snapshot is null) yield break;
            foreach (var li in snapshot.Interfaces) yield return li.NameIf;
        }
    }

    private sealed class AccessListParam : ParamType
    {
        public override string Display => "WORD";

        public override bool Enumerated => true;

        public override bool Accepts(string token, RuntimeSnapshot? snapshot) => snapshot?.Config.FindAccessList(token) is not null;

        public override IEnumerable<string> Values(RuntimeSnapshot? snapshot) => snapshot?.Policy.ListNames ?? [];
    }
}
