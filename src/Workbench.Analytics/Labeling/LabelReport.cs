using Workbench.Analytics.Features;

namespace Workbench.Analytics.Labeling;

/// <summary>Class balance of one group of snapshots (an as-of month, a product or a segment).</summary>
public sealed record LabelBalance(string GroupBy, string Group, int Count, int Upsell, int Churn, int Flat)
{
    public double UpsellRate => Count == 0 ? 0 : (double)Upsell / Count;
    public double ChurnRate => Count == 0 ? 0 : (double)Churn / Count;
    public double FlatRate => Count == 0 ? 0 : (double)Flat / Count;
}

/// <summary>Class balance over time, by product and by segment: the first thing to look at after labeling,
/// because a model can only be as good as a label that is neither empty nor drifting wildly.</summary>
public sealed record LabelReport(LabelBalance Overall, IReadOnlyList<LabelBalance> ByMonth, IReadOnlyList<LabelBalance> ByProduct, IReadOnlyList<LabelBalance> BySegment)
{
    /// <param name="panel">The panel the labels were cut from.</param>
    /// <param name="labels">Product-level labels.</param>
    /// <param name="segmentOf">Segment name of an account id, when known (planted truth or a segmentation run).</param>
    public static LabelReport Build(MonthlyPanel panel, IReadOnlyList<Label> labels, Func<string, string?>? segmentOf = null)
    {
        LabelBalance Balance(string by, string group, IEnumerable<Label> ls)
        {
            int u = 0, c = 0, f = 0;
            foreach (var l in ls) { if (l.Outcome == Outcome.Upsell) u++; else if (l.Outcome == Outcome.Churn) c++; else f++; }
            return new LabelBalance(by, group, u + c + f, u, c, f);
        }
        var byMonth = labels.GroupBy(l => l.Snapshot.AsOfMonth).OrderBy(g => g.Key)
            .Select(g => Balance("as_of", panel.MonthAt(g.Key).ToString("yyyy-MM-dd", RunContext.Culture), g)).ToList();
        var byProduct = labels.GroupBy(l => panel.ProductIds[l.Snapshot.Product]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Balance("product", g.Key, g)).ToList();
        var bySegment = segmentOf is null ? [] : labels.GroupBy(l => segmentOf(panel.AccountIds[l.Snapshot.Account]) ?? "(unknown)")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Balance("segment", g.Key, g)).ToList();
        return new LabelReport(Balance("all", "all", labels), byMonth, byProduct, bySegment);
    }
}
