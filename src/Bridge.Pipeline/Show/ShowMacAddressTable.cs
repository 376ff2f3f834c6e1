using System.Text;
using Bridge.Pipeline.Core;
using Bridge.Pipeline.L2;

namespace Bridge.Pipeline.Show;

/// <summary><c>show mac-address-table</c> in the bridge-group form (ftd-reference §9.2).</summary>
public static class ShowMacAddressTable
{
    public static string Render(MacTable table, RuntimeSnapshot snap, long nowNs)
    {
        var entries = table.Snapshot(nowNs);
        entries.Sort((a, b) => a.Interface != b.Interface ? a.Interface.CompareTo(b.Interface) : a.Mac.Value.CompareTo(b.Mac.Value));
        var sb = new StringBuilder();
        sb.Append(" interface                   mac  address          type      Age(min)   bridge-group\n");
        sb.Append(new string('-', 88)).Append('\n');
        foreach (var e in entries)
        {
            var li = e.Interface >= 0 && e.Interface < snap.Interfaces.Count ? snap.Interfaces[e.Interface] : null;
            // Age counts down from the aging time, as ASA shows minutes left before the entry expires.
            long leftMin = Math.Max(0, (snap.MacAgingNs - (nowNs - e.LastSeenNs)) / 60_000_000_000L);
            sb.Append((li?.NameIf ?? "?").PadRight(26))
              .Append(e.Mac.ToCisco().PadRight(24))
              .Append("dynamic".PadRight(12))
              .Append(leftMin.ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(12))
              .Append(li?.BridgeGroup ?? 0)
              .Append('\n');
        }
        return sb.ToString();
    }

    public static string RenderCount(MacTable table, long nowNs) => $"Number of dynamic MAC addresses: {table.Snapshot(nowNs).Count}\n";
}
