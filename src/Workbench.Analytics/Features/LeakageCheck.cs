namespace Workbench.Analytics.Features;

/// <summary>What changed at one as-of date when everything from that date on was erased.</summary>
/// <param name="AsOf">The as-of date checked.</param>
/// <param name="Rows">Snapshots compared (present in both runs).</param>
/// <param name="Columns">Feature columns compared.</param>
/// <param name="ChangedFeatureCells">Feature cells whose value moved (must be 0: features read only the past).</param>
/// <param name="ChangedLabels">Labels that moved (expected to be many: labels read the future window).</param>
public sealed record LeakageCheckResult(DateOnly AsOf, int Rows, int Columns, int ChangedFeatureCells, int ChangedLabels)
{
    /// <summary>True when no feature value moved.</summary>
    public bool FeaturesIgnoreTheFuture => ChangedFeatureCells == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"as-of {AsOf:yyyy-MM-dd}: {Rows} snapshots x {Columns} features; feature cells changed by erasing the future: {ChangedFeatureCells}; labels changed: {ChangedLabels}";
}

/// <summary>
/// A live demonstration of the point-in-time rule: builds features and labels at one as-of date twice, once on the
/// data and once with every fact dated on or after the as-of date erased (spend set to zero, usage unmeasured,
/// engagement and bookings removed), and counts what moved. Features must not move; labels should.
/// </summary>
public static class LeakageCheck
{
    /// <summary>Runs the check at <paramref name="asOf"/> (a month start inside the data).</summary>
    public static LeakageCheckResult Run(CrmDataset data, DateOnly asOf, SnapshotOptions? snapshots = null, LabelOptions? labels = null, FeatureOptions? features = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        snapshots = (snapshots ?? new SnapshotOptions()) with { AsOfDates = [asOf] };
        labels ??= new LabelOptions { Source = Labeler.AutoSource(data) };
        features ??= new FeatureOptions();
        bool Future(DateOnly d) => d >= asOf;
        var erased = data with
        {
            Spend = data.Spend.Select(s => Future(s.Month) ? s with { Amount = 0m } : s).ToList(),
            Usage = data.Usage.Select(u => Future(u.Month) ? u with { SeatsUsed = null, ActiveUsers = null, Utilization = null, KeyActions = null } : u).ToList(),
            Engagement = data.Engagement.Where(e => !Future(e.Date)).ToList(),
            Bookings = data.Bookings.Where(b => !Future(b.Date)).ToList(),
        };
        var (aTable, aLabels) = Build(data, snapshots, labels, features);
        var (bTable, bLabels) = Build(erased, snapshots, labels, features);
        var bRow = Enumerable.Range(0, bTable.RowCount).ToDictionary(i => (bTable.AccountId(i), bTable.ProductId(i)));
        int rows = 0, cells = 0, changedLabels = 0;
        for (int i = 0; i < aTable.RowCount; i++)
        {
            if (!bRow.TryGetValue((aTable.AccountId(i), aTable.ProductId(i)), out int j)) continue;
            rows++;
            var a = aTable.Row(i); var b = bTable.Row(j);
            for (int c = 0; c < a.Length; c++)
                if (!(a[c].Equals(b[c]))) cells++; // float.Equals treats NaN as equal to NaN
            if (aLabels[i].Outcome != bLabels[j].Outcome) changedLabels++;
        }
        return new LeakageCheckResult(asOf, rows, aTable.ColumnCount, cells, changedLabels);
    }

    static (FeatureTable, Label[]) Build(CrmDataset data, SnapshotOptions s, LabelOptions l, FeatureOptions f)
    {
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, s);
        return (new FeatureBuilder(panel).Build(snaps, f), Labeler.Label(panel, snaps, s, l));
    }
}
