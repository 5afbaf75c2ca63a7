namespace Workbench.Analytics.Features;

/// <summary>
/// Computes the point-in-time feature table for snapshots. Entry point: <see cref="Build(MonthlyPanel, IReadOnlyList{Snapshot}, FeatureOptions?)"/>.
/// Category codes (industry, region, revenue band) are assigned from the sorted distinct values of the
/// accounts table, so the same data always gives the same codes.
/// </summary>
public sealed class FeatureBuilder
{
    readonly MonthlyPanel _panel;
    readonly Dictionary<string, int> _industry, _region, _revenueBand;
    readonly double[] _accountSpendPrefix; // [a * (M+1) + m]
    readonly int[] _activeProducts;        // [a * M + m]
    readonly double[] _industryCode, _regionCode, _revenueBandCode; // [a]
    readonly int[] _firstSpendMonth;       // [pair], Months when never billed

    /// <summary>The registry of the base features, in column order (before missing-value indicators).</summary>
    public static FeatureRegistry BaseRegistry { get; } = new(FeatureCatalog.All.Select(s => s.Definition));

    /// <summary>The registry of the account-level features (one row per account: the account profile that segmentation
    /// and territory cluster), computed from the same panel and context; see <c>AccountProfileFeatures.Build</c>.</summary>
    public static FeatureRegistry AccountRegistry => AccountFeatureCatalog.Registry;

    public FeatureBuilder(MonthlyPanel panel) : this(panel, null) { }

    /// <summary>A builder whose category codes come from <paramref name="categories"/> (the values of a larger dataset this
    /// panel is part of, such as one partition of accounts), so its codes are the ones the whole dataset's builder gives;
    /// null: from the panel's own accounts.</summary>
    public FeatureBuilder(MonthlyPanel panel, CategoryValues? categories)
    {
        _panel = panel;
        categories ??= CategoryValues.Of(panel);
        _industry = Codes(categories.Industries);
        _region = Codes(categories.Regions);
        _revenueBand = Codes(categories.RevenueBands);
        int months = panel.Months, accounts = panel.AccountIds.Count;
        _accountSpendPrefix = new double[accounts * (months + 1)];
        _activeProducts = new int[accounts * months];
        // Per account on both cores: an account's pairs are PairStart[a]..PairStart[a + 1] in ascending order (pairs are
        // sorted by account), so each month's spend is added in the same order as a pass over all pairs.
        int offset = panel.HistoryOffset;
        Parallel.For(0, accounts, () => new double[Math.Max(months, offset)], (a, _, accountSpend) =>
        {
            // The months before a scoring panel's first month (HistoryOffset > 0) only start the running sum, as in a whole panel.
            double before = 0;
            if (offset > 0)
            {
                Array.Clear(accountSpend);
                for (int p = panel.PairStart[a]; p < panel.PairStart[a + 1]; p++)
                    for (int m = 0; m < offset; m++) accountSpend[m] += panel.EarlySpend[p * offset + m];
                for (int m = 0; m < offset; m++) before += accountSpend[m];
            }
            _accountSpendPrefix[a * (months + 1)] = before;
            Array.Clear(accountSpend);
            for (int p = panel.PairStart[a]; p < panel.PairStart[a + 1]; p++)
                for (int m = 0; m < months; m++)
                {
                    double s = panel.Spend[p * months + m];
                    accountSpend[m] += s;
                    if (s > 0) _activeProducts[a * months + m]++;
                }
            for (int m = 0; m < months; m++)
                _accountSpendPrefix[a * (months + 1) + m + 1] = _accountSpendPrefix[a * (months + 1) + m] + accountSpend[m];
            return accountSpend;
        }, _ => { });
        _industryCode = panel.Accounts.Select(a => Code(_industry, a.Industry)).ToArray();
        _regionCode = panel.Accounts.Select(a => Code(_region, a.Region)).ToArray();
        _revenueBandCode = panel.Accounts.Select(a => Code(_revenueBand, a.RevenueBand)).ToArray();
        _firstSpendMonth = new int[panel.Pairs.Count];
        Parallel.For(0, _firstSpendMonth.Length, p =>
        {
            // A scoring panel that skips the early months (HistoryOffset > 0) has their spend apart: month indexes there are negative.
            for (int e = 0; e < offset; e++)
                if (panel.EarlySpend[p * offset + e] > 0) { _firstSpendMonth[p] = e - offset; return; }
            int m = 0;
            while (m < months && !(panel.Spend[p * months + m] > 0)) m++;
            _firstSpendMonth[p] = m;
        });
    }

    /// <summary>Months since the pair was first billed, as seen at month t (0 if not yet billed).</summary>
    internal double PairTenure(int pair, int t) => _firstSpendMonth[pair] < t ? t - _firstSpendMonth[pair] : 0;

    /// <summary>Features for every snapshot with default options.</summary>
    public static FeatureTable Build(MonthlyPanel panel, IReadOnlyList<Snapshot> snapshots, FeatureOptions? options = null)
        => new FeatureBuilder(panel).Build(snapshots, options ?? new FeatureOptions());

    public FeatureTable Build(IReadOnlyList<Snapshot> snapshots, FeatureOptions options)
    {
        options.Validate();
        var specs = FeatureCatalog.All;
        int d = specs.Length, n = snapshots.Count;
        var values = new float[(long)n * d];
        Parallel.For(0, n, i =>
        {
            var s = snapshots[i];
            var ctx = new FeatureContext(this, _panel, s.Pair, s.Account, s.AsOfMonth);
            long row = (long)i * d;
            for (int j = 0; j < d; j++) values[row + j] = (float)specs[j].Compute(ctx);
        });
        var table = new FeatureTable(_panel, snapshots, BaseRegistry, values);
        if (options.SpendScale == SpendScale.Log1p) table = FeaturePostprocessing.LogMoney(table);
        if (options.WinsorizeQuantile is double q) table = FeaturePostprocessing.Winsorize(table, q);
        if (options.Missing == MissingValuePolicy.MedianWithIndicator) table = FeaturePostprocessing.ImputeMedianWithIndicator(table);
        return table;
    }

    internal double AccountSpend(int account, int from, int to)
    {
        int months = _panel.Months;
        from = Math.Clamp(from, 0, months); to = Math.Clamp(to, 0, months);
        return to <= from ? 0 : _accountSpendPrefix[account * (months + 1) + to] - _accountSpendPrefix[account * (months + 1) + from];
    }

    internal double ActiveProducts(int account, int month) => month < 0 ? double.NaN : _activeProducts[account * _panel.Months + month];
    internal double IndustryCode(int account) => _industryCode[account];
    internal double RegionCode(int account) => _regionCode[account];
    internal double RevenueBandCode(int account) => _revenueBandCode[account];

    /// <summary>Names behind category codes, for turning a code back into text.</summary>
    public IReadOnlyList<string> CategoryNames(string feature) => feature switch
    {
        "industry" => _industry.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray(),
        "region" => _region.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray(),
        "revenue_band" => _revenueBand.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray(),
        _ => throw new ArgumentException($"'{feature}' is not a categorical feature."),
    };

    static double Code(Dictionary<string, int> codes, string value) => codes.TryGetValue(value, out int c) ? c : double.NaN;

    /// <summary>Each value's code: its position among the distinct values in ordinal order.</summary>
    static Dictionary<string, int> Codes(IEnumerable<string> values) =>
        values.Distinct().Order(StringComparer.Ordinal).Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i, StringComparer.Ordinal);
}

/// <summary>The category values of a whole dataset (each list distinct; codes are positions in ordinal order), given to
/// the feature builder of one part of it so that part's codes are the whole dataset's.</summary>
public sealed record CategoryValues(IReadOnlyList<string> Industries, IReadOnlyList<string> Regions, IReadOnlyList<string> RevenueBands)
{
    /// <summary>The values a feature builder of <paramref name="panel"/> codes: each column's distinct values, ordinal order.</summary>
    public static CategoryValues Of(MonthlyPanel panel)
    {
        static string[] Distinct(IEnumerable<string> values) => values.Distinct().Order(StringComparer.Ordinal).ToArray();
        return new(Distinct(panel.Accounts.Select(a => a.Industry)), Distinct(panel.Accounts.Select(a => a.Region)), Distinct(panel.Accounts.Select(a => a.RevenueBand)));
    }

    /// <summary>From a partition manifest's <c>categories</c> (industry, region, revenue_band); a missing list is empty.</summary>
    public static CategoryValues From(IReadOnlyDictionary<string, IReadOnlyList<string>> byColumn) =>
        new(byColumn.GetValueOrDefault("industry") ?? [], byColumn.GetValueOrDefault("region") ?? [], byColumn.GetValueOrDefault("revenue_band") ?? []);
}
