using System.Globalization;
using System.Text;

namespace Bridge.Pipeline.Acl;

/// <summary>
/// <c>show access-list [NAME]</c> as FTD prints it (reference §7.2). Hashes are FNV-1a 32-bit of
/// the canonical text: of the list name for <c>name hash</c>, of the ACE line as configured
/// (without <c>line N</c>) for a parent or plain ACE, and of the expanded text for a child.
/// "N elements" counts leaf ACEs (object-groups expanded), not remarks.
/// </summary>
public static class ShowAccessList
{
    public static string Render(CompiledPolicy policy, ReadOnlySpan<long> hitCounts, string? listName = null)
    {
        if (hitCounts.Length < policy.AceCount)
        {
            throw new ArgumentException($"need {policy.AceCount} hit counters, got {hitCounts.Length}", nameof(hitCounts));
        }
        bool found = listName is null;
        var sb = new StringBuilder();
        sb.Append("access-list cached ACL log flows: total 0, denied 0 (deny-flow-max 4096)\n");
        sb.Append("            alert-interval 300\n");
        foreach (var list in policy.Lists)
        {
            if (listName is not null && list.Name != listName)
            {
                continue;
            }
            found = true;
            sb.Append(CultureInfo.InvariantCulture, $"access-list {list.Name}; {list.Elements} elements; name hash: 0x{list.NameHash:x8}\n");
            string prefix = "access-list " + list.Name + " ";
            foreach (var line in list.Lines)
            {
                string numbered = $"{prefix}line {line.LineNo.ToString(CultureInfo.InvariantCulture)} {line.Text[prefix.Length..]}";
                if (line.IsRemark)
                {
                    sb.Append(numbered).Append('\n');
                    continue;
                }
                long hits = 0;
                for (int i = line.FirstLeaf; i < line.FirstLeaf + line.LeafCount; i++)
                {
                    hits += hitCounts[i];
                }
                AppendAce(sb, numbered, hits, line.Hash, line.Inactive);
                if (!line.Expanded)
                {
                    continue;
                }
                for (int i = line.FirstLeaf; i < line.FirstLeaf + line.LeafCount; i++)
                {
                    var child = policy.Ace(i).ExpandedLine!;
                    sb.Append("  ");
                    AppendAce(sb, $"{prefix}line {line.LineNo.ToString(CultureInfo.InvariantCulture)} {child[prefix.Length..]}", hitCounts[i], CompiledPolicy.Fnv1a(child), line.Inactive);
                }
            }
        }
        if (!found)
        {
            throw new ArgumentException($"access-list '{listName}' does not exist", nameof(listName));
        }
        return sb.ToString();
    }

    private static void AppendAce(StringBuilder sb, string text, long hits, uint hash, bool inactive)
    {
        sb.Append(text).Append(CultureInfo.InvariantCulture, $" (hitcnt={hits})");
        if (inactive)
        {
            sb.Append(" (inactive)");
        }
        sb.Append(CultureInfo.InvariantCulture, $" 0x{hash:x8}\n");
    }
}
