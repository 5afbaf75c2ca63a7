namespace Workbench.Analytics.Features;

/// <summary>What changed at one as-of date when everything from that date on was erased.</summary>
/// <param name="AsOf">The as-of date checked.</param>
/// <param name="Rows">Snapshots compared (present in both runs).</param>
/// <param name="Columns">Feature columns compared.</param>
/// <param name="ChangedFeatureCells">Feature cells whose value moved (must be 0: features read only the past).</param>
/// <param name="ChangedLabels">Labels that moved (expected to be many: labels read the future window).</param>
/// <param name="AccountRows">Accounts whose account-level features (the account profile) were compared.</param>
/// <param name="AccountColumns">Account-level feature columns compared.</param>
/// <param name="ChangedAccountFeatureCells">Account-level feature cells whose value moved (must be 0 too).</param>
public sealed record LeakageCheckResult(DateOnly AsOf, int Rows, int Columns, int ChangedFeatureCells, int ChangedLabels,
    int AccountRows = 0, int AccountColumns = 0, int ChangedAccountFeatureCells = 0)
{
    /// <summary>True when no feature value moved, at either level (account-product and account).</summary>
    public bool FeaturesIgnoreTheFuture => ChangedFeatureCells == 0 && ChangedAccountFeatureCells == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"as-of {AsOf:yyyy-MM-dd}: {Rows} snapshots x {Columns} features; feature cells changed by erasing the future: {ChangedFeatureCells}; labels changed: {ChangedLabels}; " +
        $"account level: {AccountRows} accounts x {AccountColumns} features, cells changed: {ChangedAccountFeatureCells}";
}

/// <summary>
/// A live demonstration of the point-in-time rule: builds features and labels at one as-of date twice, once on the
/// data and once with every fact dated on or after the as-of date erased (spend set to zero, usage unmeasured,
/// engagement, bookings and transactions removed), and counts what moved. Features must not move, at the account-product
/// level (<see cref="FeatureBuilder"/>) and at the account level (<see cref="FeatureBuilder.AccountRegistry"/>, the account
/// profile over all history before the as-of date); labels should.
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
            Transactions = data.Transactions.Where(t => !Future(t.Date)).ToList(),
        };
        var (aPanel, aTable, aLabels) = Build(data, snapshots, labels, features);
        var (bPanel, bTable, bLabels) = Build(erased, snapshots, labels, features);
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
        // Account level: every account created before the as-of date, its profile over all history before it.
        int accounts = 0, accountCells = 0, width = AccountFeatureCatalog.All.Length;
        for (int a = 0; a < aPanel.AccountIds.Count; a++)
        {
            if (aPanel.Accounts[a].CreatedDate >= asOf) continue;
            accounts++;
            var x = AccountFeatureCatalog.Row(aPanel, a, aPanel.MonthIndexOf(asOf), windowMonths: null);
            var y = AccountFeatureCatalog.Row(bPanel, bPanel.AccountIndexOf(aPanel.AccountIds[a]), bPanel.MonthIndexOf(asOf), windowMonths: null);
            for (int c = 0; c < width; c++)
                if (!x[c].Equals(y[c])) accountCells++; // double.Equals treats NaN as equal to NaN
        }
        return new LeakageCheckResult(asOf, rows, aTable.ColumnCount, cells, changedLabels, accounts, width, accountCells);
    }

    static (MonthlyPanel, FeatureTable, Label[]) Build(CrmDataset data, SnapshotOptions s, LabelOptions l, FeatureOptions f)
    {
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, s);
        return (panel, new FeatureBuilder(panel).Build(snaps, f), Labeler.Label(panel, snaps, s, l));
    }
}
