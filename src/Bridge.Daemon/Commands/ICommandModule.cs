using Bridge.Daemon.Commands.Grammar;

namespace Bridge.Daemon.Commands;

/// <summary>One command (or a family sharing a prefix): registers its syntax, help and handler in the tree.</summary>
public interface ICommandModule
{
    void Register(GrammarNode root);
}

/// <summary>Help texts of the first words that several commands share, so that each reads the same whoever registers it first.</summary>
public static class CommonWords
{
    public static GrammarNode Show(GrammarNode root) => root.Keyword("show", "Show running system information");

    public static GrammarNode Clear(GrammarNode root) => root.Keyword("clear", "Reset functions");

    public static GrammarNode No(GrammarNode root) => root.Keyword("no", "Negate a command or set its defaults");
}
