namespace Bridge.Daemon.Commands;

/// <summary>What a peer of the admin socket may do.</summary>
public enum AdminRole
{
    /// <summary>Neither root nor in group bridge or bridge-admin: refused.</summary>
    None = 0,
    /// <summary>Group bridge: show and packet-tracer.</summary>
    Monitor = 1,
    /// <summary>Root or group bridge-admin: everything, including clear, configuration and write memory.</summary>
    Admin = 2,
}

/// <summary>
/// The configuration block a sub-mode edits: <paramref name="Mode"/> names the sub-mode's grammar
/// (<c>config-if</c>), <paramref name="Header"/> is the block's first line as the running config
/// writes it (<c>interface eth2</c>).
/// </summary>
public sealed record ConfigBlock(string Mode, string Header);

/// <summary>One client connection's state: who it is, whether it is in <c>configure terminal</c> and in which sub-mode.</summary>
public sealed class AdminSession(string user, AdminRole role, bool web = false)
{
    public string User { get; } = user;

    public AdminRole Role { get; } = role;

    /// <summary>A user of the HTTPS server (a <c>username</c> line), not a peer of the admin socket.</summary>
    public bool Web { get; } = web;

    /// <summary>What this caller would need to change the bridge, in the terms of how it logged in.</summary>
    public string AdminRequirement => Web ? "privilege 15" : "root or group bridge-admin";

    public bool ConfigMode { get; set; }

    /// <summary>The block being edited after <c>interface …</c>, <c>object …</c> or <c>object-group …</c>; null outside a sub-mode.</summary>
    public ConfigBlock? Block { get; set; }

    /// <summary>The mode for the client's prompt: <c>exec</c>, <c>config</c> or the sub-mode's name.</summary>
    public string Mode => Block?.Mode ?? (ConfigMode ? "config" : "exec");
}
