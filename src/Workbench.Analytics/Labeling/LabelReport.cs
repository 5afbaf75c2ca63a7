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
    /// <summary>Warnings about implausible label rates: a churn or upsell rate above 50% or below 0.5% of snapshots
    /// usually means the label source or thresholds do not fit the data (lumpy orders labelled against a run-rate).</summary>
    public IReadOnlyList<string> Flags()
    {
        var flags = new List<string>();
        foreach (var (name, rate) in new[] { ("churn", Overall.ChurnRate), ("upsell", Overall.UpsellRate) })
        {
            if (Overall.Count == 0) break;
            if (rate > 0.5) flags.Add(string.Create(RunContext.Culture, $"{name} rate {rate:P1} is above 50%: check the label source and thresholds"));
            else if (rate < 0.005) flags.Add(string.Create(RunContext.Culture, $"{name} rate {rate:P2} is below 0.5%: too few positives to learn from"));
        }
        return flags;
    }

    /// <param name="panel">The panel the labels were cut from.</param>
    /// <param name="labels">Product-level labels.</param>
    /// <param name="segmentOf">Segment name of an account id, when known (planted truth or a segmentation run).</param>
    public static LabelReport Build(MonthlyPanel panel, IReadOnlyList<Label> labels, Func<string, string?>? segmentOf = null)
    {
        // Counts [group, outcome] in one pass; outcome index is the enum value (Flat, Upsell, Churn).
        var byMonth = new int[panel.Months, 3];
        var byProduct = new int[panel.ProductIds.Count, 3];
        var bySegment = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        // Each account's segment counters, found once per account (a sorted-map lookup per label was 5.8 M lookups at 100,000 accounts).
        var countsOfAccount = new int[]?[panel.AccountIds.Count];
        var overall = new int[3];
        foreach (var l in labels)
        {
            int o = (int)l.Outcome;
            overall[o]++; byMonth[l.Snapshot.AsOfMonth, o]++; byProduct[l.Snapshot.Product, o]++;
            if (segmentOf is not null)
            {
                var c = countsOfAccount[l.Snapshot.Account];
                if (c is null)
                {
                    var seg = segmentOf(panel.AccountIds[l.Snapshot.Account]) ?? "(unknown)";
                    if (!bySegment.TryGetValue(seg, out c)) bySegment[seg] = c = new int[3];
                    countsOfAccount[l.Snapshot.Account] = c;
                }
                c[o]++;
            }
        }
        static LabelBalance B(string by, string group, int flat, int upsell, int churn) => new(by, group, flat + upsell + churn, upsell, churn, flat);
        var months = Enumerable.Range(0, panel.Months).Where(m => byMonth[m, 0] + byMonth[m, 1] + byMonth[m, 2] > 0)
            .Select(m => B("as_of", panel.MonthAt(m).ToString("yyyy-MM-dd", RunContext.Culture), byMonth[m, 0], byMonth[m, 1], byMonth[m, 2])).ToList();
        var products = Enumerable.Range(0, panel.ProductIds.Count).Where(p => byProduct[p, 0] + byProduct[p, 1] + byProduct[p, 2] > 0)
            .Select(p => B("product", panel.ProductIds[p], byProduct[p, 0], byProduct[p, 1], byProduct[p, 2])).ToList();
        var segments = bySegment.Select(kv => B("segment", kv.Key, kv.Value[0], kv.Value[1], kv.Value[2])).ToList();
        return new LabelReport(B("all", "all", overall[0], overall[1], overall[2]), months, products, segments);
    }
}
