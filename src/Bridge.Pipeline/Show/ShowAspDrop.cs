using System.Text;
using Bridge.Packets;
using Bridge.Pipeline.Core;

namespace Bridge.Pipeline.Show;

/// <summary>
/// <c>show asp drop [frame|flow]</c> (ftd-reference §6.2): two sections, only non-zero counters,
/// label and keyword left, count right-aligned to column 77, a <c>Last clearing:</c> line after each.
/// </summary>
public static class ShowAspDrop
{
    private const int CountColumn = 77;

    public static string Render(IReadOnlyList<DataPath> workers, string lastClearing = "Never", DropSection? only = null)
    {
        var sb = new StringBuilder();
        if (only is null or DropSection.Frame) Section(sb, "Frame drop:", Sum(workers, DropSection.Frame), DropSection.Frame, lastClearing);
        if (only is null) sb.Append('\n');
        if (only is null or DropSection.Flow) Section(sb, "Flow drop:", Sum(workers, DropSection.Flow), DropSection.Flow, lastClearing);
        return sb.ToString();
    }

    public static long[] Sum(IReadOnlyList<DataPath> workers, DropSection section)
    {
        var total = new long[(int)DropReason.Count];
        foreach (var w in workers)
        {
            var src = section == DropSection.Frame ? w.FrameDrops : w.FlowDrops;
            for (int i = 0; i < total.Length; i++) total[i] += Volatile.Read(ref src[i]);
        }
        return total;
    }

    private static void Section(StringBuilder sb, string title, long[] counts, DropSection section, string lastClearing)
    {
        sb.Append(title).Append('\n');
        for (int i = 1; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            var reason = (DropReason)i;
            string label = $"  {DropCatalogue.Label(reason, section)} ({DropCatalogue.Keyword(reason)})";
            string count = counts[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            int pad = Math.Max(1, CountColumn - label.Length - count.Length);
            sb.Append(label).Append(' ', pad).Append(count).Append('\n');
        }
        sb.Append('\n').Append("Last clearing: ").Append(lastClearing).Append('\n');
    }
}
