using Bridge.Daemon.Commands;

namespace Bridge.Daemon.Commands.Grammar;

/// <summary>Who may run a command: <see cref="Monitor"/> (show, packet-tracer) or <see cref="Admin"/> (anything that changes state).</summary>
public enum Privilege
{
    Monitor = 1,
    Admin = 2,
}

/// <summary>Runs a command that the grammar matched.</summary>
public delegate Task<CommandResult> CommandHandler(CommandContext context);

/// <summary>
/// One node of the command tree: a keyword (matched case-insensitively, abbreviable) or a typed
/// parameter. A node with a <see cref="Handler"/> may end a command (<c>&lt;cr&gt;</c> in help).
/// Commands register their paths with <see cref="Keyword"/> and <see cref="Param"/>, which reuse an
/// existing child, so several commands can share a prefix such as <c>show</c>.
/// </summary>
public sealed class GrammarNode
{
    private readonly List<GrammarNode> _children = [];
    private Dictionary<string, GrammarNode>? _modes;

    private GrammarNode(string? word, ParamType? type, string name, string help)
    {
        Word = word;
        Type = type;
        Name = name;
        Help = help;
    }

    internal static GrammarNode CreateRoot() => new(null, null, "", "");

    /// <summary>The keyword, or null for a parameter.</summary>
    public string? Word { get; }

    /// <summary>The parameter type, or null for a keyword.</summary>
    public ParamType? Type { get; }

    /// <summary>The key under which the matched token is stored (the keyword itself for keywords).</summary>
    public string Name { get; }

    public string Help { get; }

    public CommandHandler? Handler { get; private set; }

    public Privilege Privilege { get; private set; } = Privilege.Admin;

    public IReadOnlyList<GrammarNode> Children => _children;

    public bool IsKeyword => Word is not null;

    /// <summary>The child keyword <paramref name="word"/>, created with <paramref name="help"/> on first use.</summary>
    public GrammarNode Keyword(string word, string help)
    {
        foreach (var c in _children)
        {
            if (c.Word == word) return c;
        }
        var node = new GrammarNode(word, null, word, help);
        _children.Add(node);
        return node;
    }

    /// <summary>The child parameter stored as <paramref name="name"/>, created on first use.</summary>
    public GrammarNode Param(ParamType type, string name, string help)
    {
        foreach (var c in _children)
        {
            if (c.Word is null && c.Name == name && c.Type == type) return c;
        }
        var node = new GrammarNode(null, type, name, help);
        _children.Add(node);
        return node;
    }

    /// <summary>
    /// The root of configuration sub-mode <paramref name="mode"/> (<c>config-if</c>,
    /// <c>config-network-object</c>, …): the commands a line such as <c>interface eth2</c> opens.
    /// Registered on the tree's root; created on first use.
    /// </summary>
    public GrammarNode SubMode(string mode)
    {
        _modes ??= new(StringComparer.Ordinal);
        if (!_modes.TryGetValue(mode, out var root))
        {
            root = CreateRoot();
            _modes[mode] = root;
        }
        return root;
    }

    /// <summary>The sub-modes registered on this root, by name.</summary>
    public IReadOnlyDictionary<string, GrammarNode> SubModes =>
        _modes ?? (IReadOnlyDictionary<string, GrammarNode>)new Dictionary<string, GrammarNode>();

    /// <summary>Marks this node as a complete command run by <paramref name="handler"/>.</summary>
    public GrammarNode Runs(CommandHandler handler, Privilege privilege)
    {
        if (Handler is not null) throw new InvalidOperationException($"two handlers registered for '{Name}'");
        Handler = handler;
        Privilege = privilege;
        return this;
    }

    /// <summary>Synchronous form of <see cref="Runs(CommandHandler, Privilege)"/>.</summary>
    public GrammarNode Runs(Func<CommandContext, CommandResult> handler, Privilege privilege) =>
        Runs(ctx => Task.FromResult(handler(ctx)), privilege);
}
