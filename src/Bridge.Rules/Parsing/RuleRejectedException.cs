namespace Bridge.Rules.Parsing;

/// <summary>
/// Thrown while a rule is parsed or compiled when the engine cannot honour it. <see cref="Reason"/>
/// is the category counted in the load summary; <see cref="Detail"/> says what exactly.
/// </summary>
public sealed class RuleRejectedException : Exception
{
    public string Reason { get; }
    public string? Detail { get; }

    public RuleRejectedException(string reason, string? detail = null)
        : base(detail is null ? reason : $"{reason}: {detail}")
    {
        Reason = reason;
        Detail = detail;
    }

    public RuleRejectedException()
        : this("rejected")
    {
    }

    public RuleRejectedException(string message, Exception inner)
        : base(message, inner)
    {
        Reason = message;
    }
}
