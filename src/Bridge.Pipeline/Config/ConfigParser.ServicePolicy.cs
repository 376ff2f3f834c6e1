namespace Bridge.Pipeline.Config;

/// <summary>
/// <c>[no] policy-map NAME</c> / <c>class class-default</c> / <c>set connection ...</c> and
/// <c>[no] service-policy NAME global</c>: ASA's way of setting connection limits
/// (<c>conn-max</c>, <c>embryonic-conn-max</c>) and the embryonic timeout. Bridge supports the part
/// that applies to all traffic; anything narrower is refused with the reason.
/// </summary>
internal sealed partial class ConfigParser
{
    private const int MaxConnLimit = 2_000_000;

    // Policy-maps in order of first appearance; the one being edited and whether its class is open.
    private readonly List<PolicyMapConfig> _policyMaps = [];
    private int _policyMap = -1;
    private bool _inClassDefault;
    private string? _globalPolicy;

    /// <summary>After <c>policy-map</c>: opens the block, re-opening a policy-map of the same name as ASA does.</summary>
    private void PolicyMapHeader()
    {
        var nt = Next("policy-map name");
        if (nt.Text is "type")
            throw Fail(nt, "only plain policy-maps are supported (no 'type inspect' maps)");
        string name = Name(nt, "policy-map name", 40);
        ExpectEnd();
        _policyMap = _policyMaps.FindIndex(p => p.Name == name);
        if (_policyMap < 0)
        {
            _policyMaps.Add(new PolicyMapConfig(name, null));
            _policyMap = _policyMaps.Count - 1;
        }
        _inClassDefault = false;
        _block = Block.PolicyMap;
    }

    private void NoPolicyMap()
    {
        var nt = Next("policy-map name");
        int i = _policyMaps.FindIndex(p => p.Name == nt.Text);
        if (i < 0) throw Fail(nt, $"policy-map '{nt.Text}' does not exist");
        if (_globalPolicy == nt.Text) throw Fail(nt, $"policy-map '{nt.Text}' is in use by 'service-policy {nt.Text} global'");
        ExpectEnd();
        _policyMaps.RemoveAt(i);
    }

    /// <summary>An indented line of a policy-map: <c>class class-default</c>, or a <c>set connection</c> line under it.</summary>
    private void PolicyMapSub()
    {
        var t = Next("policy-map sub-command");
        var map = _policyMaps[_policyMap];
        switch (t.Text)
        {
            case "class":
                var ct = Next("class name");
                if (ct.Text != "class-default")
                    throw Fail(ct, $"class '{ct.Text}': only class-default is supported (connection settings apply to all traffic)");
                ExpectEnd();
                _policyMaps[_policyMap] = map with { ClassDefault = map.ClassDefault ?? ConnectionSettings.None };
                _inClassDefault = true;
                break;
            case "set" when _inClassDefault:
                Expect("connection");
                _policyMaps[_policyMap] = map with { ClassDefault = SetConnection(map.ClassDefault!) };
                break;
            case "no" when _inClassDefault && PeekIs("set"):
                Expect("set");
                Expect("connection");
                _policyMaps[_policyMap] = map with { ClassDefault = NoSetConnection(map.ClassDefault!) };
                break;
            case "no" when PeekIs("class"):
                Expect("class");
                var nc = Next("class name");
                if (nc.Text != "class-default" || map.ClassDefault is null) throw Fail(nc, $"class '{nc.Text}' is not in policy-map {map.Name}");
                ExpectEnd();
                _policyMaps[_policyMap] = map with { ClassDefault = null };
                _inClassDefault = false;
                break;
            case "set":
                throw Fail(t, "'set connection' belongs under 'class class-default'");
            default:
                throw Fail(t, $"unknown policy-map sub-command '{t.Text}' (class class-default, then set connection)");
        }
    }

    /// <summary>
    /// <c>set connection [conn-max N] [embryonic-conn-max N]</c> or
    /// <c>set connection timeout embryonic H:MM:SS</c>; what the line does not name keeps its value.
    /// </summary>
    private ConnectionSettings SetConnection(ConnectionSettings current)
    {
        if (PeekIs("timeout"))
        {
            Expect("timeout");
            var kt = Next("'embryonic'");
            if (kt.Text != "embryonic")
                throw Fail(kt, $"connection timeout '{kt.Text}' is not supported here (embryonic; idle and half-closed are the global 'timeout conn' and 'timeout tcp-half-closed')");
            var vt = Next("duration H:MM:SS");
            var v = Duration(vt);
            if (v < TimeSpan.FromSeconds(5)) throw Fail(vt, "the embryonic timeout must be at least 0:00:05");
            ExpectEnd();
            return current with { EmbryonicTimeout = v };
        }
        var next = current;
        do
        {
            var kt = Next("'conn-max' or 'embryonic-conn-max'");
            switch (kt.Text)
            {
                case "conn-max":
                    next = next with { ConnMax = Int(Next("maximum connections"), 0, MaxConnLimit, "conn-max") };
                    break;
                case "embryonic-conn-max":
                    next = next with { EmbryonicConnMax = Int(Next("maximum embryonic connections"), 0, MaxConnLimit, "embryonic-conn-max") };
                    break;
                case "per-client-max" or "per-client-embryonic-max" or "random-sequence-number" or "syn-cookie-mss" or "advanced-options" or "decrement-ttl":
                    throw Fail(kt, $"'set connection {kt.Text}' is not supported (conn-max, embryonic-conn-max, timeout embryonic)");
                default:
                    throw Fail(kt, $"unknown connection setting '{kt.Text}' (conn-max, embryonic-conn-max, timeout embryonic)");
            }
        }
        while (!AtEnd);
        return next;
    }

    private ConnectionSettings NoSetConnection(ConnectionSettings current)
    {
        if (PeekIs("timeout"))
        {
            Expect("timeout");
            Expect("embryonic");
            if (!AtEnd) Duration(Next("duration"));
            ExpectEnd();
            return current with { EmbryonicTimeout = null };
        }
        var next = current;
        do
        {
            var kt = Next("'conn-max' or 'embryonic-conn-max'");
            next = kt.Text switch
            {
                "conn-max" => next with { ConnMax = 0 },
                "embryonic-conn-max" => next with { EmbryonicConnMax = 0 },
                _ => throw Fail(kt, $"unknown connection setting '{kt.Text}' (conn-max, embryonic-conn-max)"),
            };
            // 'no set connection conn-max 1000' may repeat the value.
            if (Peek() is { } v && char.IsAsciiDigit(v.Text[0])) Next("value");
        }
        while (!AtEnd);
        return next;
    }

    /// <summary>After <c>[no] service-policy</c>: <c>NAME global</c>.</summary>
    private void ServicePolicy(bool negated)
    {
        var nt = Next("policy-map name");
        var st = Next("'global'");
        if (st.Text == "interface")
            throw Fail(st, "only a global service policy is supported ('service-policy NAME global')");
        if (st.Text != "global") throw Fail(st, $"expected 'global', found '{st.Text}'");
        ExpectEnd();
        if (negated)
        {
            if (_globalPolicy != nt.Text) throw Fail(nt, $"'service-policy {nt.Text} global' is not configured");
            _globalPolicy = null;
            return;
        }
        if (_policyMaps.FindIndex(p => p.Name == nt.Text) < 0)
            throw Fail(nt, $"policy-map '{nt.Text}' is not defined (define it above the service-policy line)");
        _globalPolicy = nt.Text;
    }

    private ServicePolicyConfig BuildServicePolicy() =>
        _policyMaps.Count == 0 && _globalPolicy is null ? ServicePolicyConfig.Empty : new([.. _policyMaps], _globalPolicy);
}
