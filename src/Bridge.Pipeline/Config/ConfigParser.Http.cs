namespace Bridge.Pipeline.Config;

/// <summary>The HTTPS server's lines: <c>[no] http server enable [PORT]</c>, <c>[no] http NET MASK IFNAME</c>, <c>[no] username ...</c>.</summary>
internal sealed partial class ConfigParser
{
    private int? _httpPort;
    private readonly List<HttpAccessEntry> _httpAccess = [];
    private readonly List<UserAccount> _users = [];

    /// <summary><c>http server enable [PORT]</c> or <c>http NET MASK IFNAME</c> (after the <c>http</c> token).</summary>
    private void Http(bool negated)
    {
        if (PeekIs("server"))
        {
            Expect("server");
            Expect("enable");
            if (negated)
            {
                ExpectEnd();
                _httpPort = null;
                return;
            }
            _httpPort = AtEnd ? HttpSettings.DefaultPort : Int(Next("port"), 1, 65535, "http server port");
            ExpectEnd();
            return;
        }
        var entry = HttpAccess();
        if (negated)
        {
            _httpAccess.Remove(entry);
        }
        else if (!_httpAccess.Contains(entry))
        {
            _httpAccess.Add(entry);
        }
    }

    private HttpAccessEntry HttpAccess()
    {
        var at = Next("network address");
        var subnet = SubnetOperand(at);
        var it = NameIfOrManagement();
        ExpectEnd();
        return new HttpAccessEntry(subnet.Address, subnet.PrefixLength, it.Text);
    }

    /// <summary>
    /// <c>username NAME password SECRET [encrypted] [privilege N]</c>. A clear secret is hashed here
    /// and only the hash is kept. The line as written is masked before anything can fail, so no
    /// error message ever repeats a clear password.
    /// </summary>
    private void Username()
    {
        var nt = Next("user name");
        string name = Name(nt, "username", 64);
        Expect("password");
        var st = Next("password");
        _raw = string.Concat(_raw.AsSpan(0, st.Column - 1), new string('*', st.Text.Length), _raw.AsSpan(st.Column - 1 + st.Text.Length));
        bool encrypted = PeekIs("encrypted");
        if (encrypted)
        {
            Next("'encrypted'");
            if (!PasswordHash.IsWellFormed(st.Text))
            {
                throw Fail(st, $"an encrypted password must be written {PasswordHash.Prefix}ITERATIONS$SALT$KEY");
            }
        }
        int privilege = UserAccount.DefaultPrivilege;
        if (PeekIs("privilege"))
        {
            Expect("privilege");
            privilege = Int(Next("privilege level"), 0, 15, "privilege");
        }
        ExpectEnd();
        var user = new UserAccount(name, encrypted ? st.Text : PasswordHash.Create(st.Text), privilege);
        int existing = _users.FindIndex(u => u.Name == name);
        if (existing >= 0)
        {
            _users[existing] = user;
        }
        else
        {
            _users.Add(user);
        }
    }

    private void NoUsername()
    {
        var nt = Next("user name");
        ExpectEnd();
        if (_users.RemoveAll(u => u.Name == nt.Text) == 0)
        {
            throw Fail(nt, $"username '{nt.Text}' is not defined");
        }
    }

    private HttpSettings BuildHttp() => new(_httpPort, _httpAccess.ToArray());
}
