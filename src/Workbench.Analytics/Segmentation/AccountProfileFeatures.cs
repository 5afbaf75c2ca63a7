#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Segmentation;

/// <summary>Options for <see cref="AccountProfileFeatures.Build(CrmDataset, AccountProfileOptions)"/>.</summary>
public sealed record AccountProfileOptions
{
    /// <summary>Snapshot date: monthly rows count only for months that ended on or before it, dated rows
    /// (bookings, engagement) only when dated strictly before it. Null: the first day after the last month in the data.</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>Months of history before <see cref="AsOf"/> to summarise; null uses all of it.</summary>
    public int? WindowMonths { get; init; }

    /// <summary>Columns the clustering sees; null uses <see cref="AccountProfileFeatures.DefaultClusteringColumns"/>.
    /// The other columns are still computed and available in <see cref="AccountProfiles.All"/>.</summary>
    public IReadOnlyList<string>? ClusteringColumns { get; init; }

    internal void Validate()
    {
        if (WindowMonths is < 1) throw new OptionsValidationException($"AccountProfileOptions.WindowMonths must be >= 1, got {WindowMonths}.");
        if (ClusteringColumns is not null)
        {
            if (ClusteringColumns.Count == 0) throw new OptionsValidationException("AccountProfileOptions.ClusteringColumns must name at least one column.");
            foreach (var c in ClusteringColumns)
                if (!AccountProfileFeatures.Columns.Contains(c))
                    throw new OptionsValidationException($"AccountProfileOptions.ClusteringColumns: unknown column '{c}'; known: {string.Join(", ", AccountProfileFeatures.Columns)}.");
        }
    }
}

/// <summary>Per-account profile features as of a date, ready for <see cref="Segmenter"/>.</summary>
/// <param name="AccountIds">Row order of every matrix and outcome column (accounts sorted by id).</param>
/// <param name="All">Every profile column (<see cref="AccountProfileFeatures.Columns"/>) on its natural scale.</param>
/// <param name="Outcomes">Outcome columns (churn_rate, upsell_rate) that profiles report but clustering never sees.</param>
/// <param name="ClusteringColumns">The subset of <see cref="All"/> that is clustered.</param>
/// <param name="ImputedCounts">Per column, how many accounts had no observation and got the column median.</param>
/// <param name="ExcludedAccounts">Accounts left out (with the reason): created on or after the as-of date, or no spend before it.</param>
public sealed record AccountProfiles(
    IReadOnlyList<string> AccountIds, DateOnly AsOf, FeatureMatrix All, IReadOnlyDictionary<string, double[]> Outcomes,
    IReadOnlyList<string> ClusteringColumns, IReadOnlyDictionary<string, int> ImputedCounts,
    IReadOnlyList<(string AccountId, string Reason)> ExcludedAccounts)
{
    /// <summary>The clustered columns only.</summary>
    public FeatureMatrix Clustering
    {
        get
        {
            var idx = ClusteringColumns.Select(All.ColumnIndex).ToArray();
            var rows = Enumerable.Range(0, All.Rows).Select(i => idx.Select(j => All[i, j]).ToArray()).ToArray();
            return FeatureMatrix.FromRows(rows, ClusteringColumns);
        }
    }

    /// <summary>Input for <see cref="Segmenter.Run(SegmentationInput, SegmentationOptions, IProgress{string}?)"/>:
    /// the clustered columns, the outcomes and the account ids.</summary>
    public SegmentationInput ToSegmentationInput() => new(Clustering) { Outcomes = Outcomes, RowIds = AccountIds };

    /// <summary>Segmentation options that fit these columns: log1p on the heavy-tailed ones, column roles for segment names.</summary>
    public SegmentationOptions SegmentationOptions(int seed) => new()
    {
        Seed = seed,
        Log1pColumns = AccountProfileFeatures.Log1pColumns.Where(ClusteringColumns.Contains).ToArray(),
        Profiles = new ProfileOptions { ColumnRoles = AccountProfileFeatures.ColumnRoles },
    };

    /// <summary>The result with its profiles rebuilt over every profile column (clustered or not, e.g. key actions,
    /// purchases, tenure), so segment names and profiles can use traits the clustering did not need.
    /// Assignments, k and quality are unchanged.</summary>
    public SegmentationResult WithFullProfiles(SegmentationResult result, ProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Assignments.Length != All.Rows)
            throw new OptionsValidationException($"The result has {result.Assignments.Length} rows; these profiles have {All.Rows} accounts.");
        var o = options ?? new ProfileOptions { ColumnRoles = AccountProfileFeatures.ColumnRoles };
        if (o.Log1pColumns.Count == 0) o = o with { Log1pColumns = AccountProfileFeatures.Log1pColumns.ToArray() };
        return result with { Profiles = SegmentProfiler.Build(All, result.Assignments, Outcomes, o) };
    }

    /// <summary>Planted segment of each row (in <see cref="AccountIds"/> order) when the data carries truth, else null.</summary>
    public int[]? TrueSegments(PlantedTruth? truth)
    {
        if (truth is null || truth.Segments.Count == 0) return null;
        var map = truth.Segments.ToDictionary(s => s.AccountId, s => s.Segment, StringComparer.Ordinal);
        return AccountIds.Select(id => map.TryGetValue(id, out var s) ? s
            : throw new WorkbenchException($"Planted truth has no segment for account '{id}'.")).ToArray();
    }
}

/// <summary>
/// Per-account segmentation features, point in time: the account-level entries of the feature registry
/// (<see cref="FeatureBuilder.AccountRegistry"/>), computed from the monthly panel through the same feature context as
/// the account-product features, so they read only whole months before the as-of month (the leakage check covers them).
/// Columns: mean monthly spend, purchases per year (new-product and add-on bookings), active products,
/// seat utilization, active users, key actions per used seat, engagement touches and support tickets per month,
/// tenure; outcomes: churn and upsell bookings per active product-month.
/// </summary>
public static class AccountProfileFeatures
{
    public const string MonthlySpend = "monthly_spend", PurchasesPerYear = "purchases_per_year", ActiveProducts = "active_products",
        SeatUtilization = "seat_utilization", ActiveUsers = "active_users", KeyActionsPerSeat = "key_actions_per_seat",
        EngagementPerMonth = "engagement_per_month", SupportTicketsPerMonth = "support_tickets_per_month", TenureMonths = "tenure_months",
        ChurnRate = "churn_rate", UpsellRate = "upsell_rate";

    /// <summary>Every profile column, in matrix order (the names of <see cref="FeatureBuilder.AccountRegistry"/>).</summary>
    public static readonly IReadOnlyList<string> Columns = FeatureBuilder.AccountRegistry.Names.ToArray();

    /// <summary>Columns clustered by default: spend level, product breadth, seat utilization and active users (account size).
    /// The other columns are profiled (see <see cref="AccountProfiles.WithFullProfiles"/>) but not clustered, for reasons
    /// measured on generated data (docs/segmentation.md, "Account profile features"): key actions per seat is nearly a
    /// constant per segment, so in standardized space it turns pairs that share a level into one tight clump and the
    /// silhouette then merges them (4 or 5 found for 6 planted); purchases, engagement and support are sparse monthly
    /// counts whose skewed within-segment spread adds noise the gap statistic reads as extra clusters; tenure says when
    /// an account signed, not how it buys or uses.</summary>
    public static readonly IReadOnlyList<string> DefaultClusteringColumns = [MonthlySpend, ActiveProducts, SeatUtilization, ActiveUsers];

    /// <summary>Right-skewed columns that are clustered and compared on log1p scale.</summary>
    public static readonly IReadOnlyList<string> Log1pColumns = [MonthlySpend, ActiveUsers, PurchasesPerYear];

    /// <summary>Roles for segment names: spend is value, utilization and key actions are usage, purchases are frequency.</summary>
    public static readonly IReadOnlyDictionary<string, ColumnRole> ColumnRoles = new Dictionary<string, ColumnRole>
    {
        [MonthlySpend] = ColumnRole.Spend,
        [PurchasesPerYear] = ColumnRole.Frequency,
        [ActiveProducts] = ColumnRole.Other,
        [SeatUtilization] = ColumnRole.Usage,
        [ActiveUsers] = ColumnRole.Other, // a size measure: many users is a big account, not an intense one
        [KeyActionsPerSeat] = ColumnRole.Usage,
        [EngagementPerMonth] = ColumnRole.Other,
        [SupportTicketsPerMonth] = ColumnRole.Other,
        [TenureMonths] = ColumnRole.Other,
    };

    /// <summary>Profiles as of <paramref name="asOf"/> (null: after the last month in the data) over all prior history.</summary>
    public static AccountProfiles Build(CrmDataset data, DateOnly? asOf = null) => Build(data, new AccountProfileOptions { AsOf = asOf });

    /// <summary>Profiles of a dataset: builds its monthly panel (see <see cref="Build(MonthlyPanel, AccountProfileOptions)"/>).</summary>
    public static AccountProfiles Build(CrmDataset data, AccountProfileOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        if (data.Spend.Count == 0 && data.Usage.Count == 0)
            throw new WorkbenchException("The dataset has no spend or usage rows: there is nothing to profile accounts from.");
        return Build(new MonthlyPanel(data), options);
    }

    /// <summary>Profiles from a monthly panel the caller already built (a run's features did): the panel is a function of
    /// the dataset, so these are the profiles <see cref="Build(CrmDataset, AccountProfileOptions)"/> gives, without a second
    /// panel (about 14 KB per account, docs/scale.md).</summary>
    public static AccountProfiles Build(MonthlyPanel panel, AccountProfileOptions options)
    {
        ArgumentNullException.ThrowIfNull(panel);
        options.Validate();
        var asOf = options.AsOf ?? panel.MonthAt(panel.Months);
        // Like every point-in-time feature, the profile reads whole months before the as-of month: a profile dated
        // mid-month sees nothing of that month (its monthly rows are not complete, and its dated rows are cut alike).
        int t = panel.MonthIndexOf(MonthlyPanel.FirstOfMonth(asOf));
        var ids = panel.AccountIds;
        int n = ids.Count;
        var created = panel.Accounts.Select(a => a.CreatedDate).ToArray();

        var excluded = new List<(string, string)>();
        var keep = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (created[i] >= asOf) excluded.Add((ids[i], $"created {created[i]:yyyy-MM-dd}, on or after the as-of date {asOf:yyyy-MM-dd}"));
            else if (new FeatureContext(null!, panel, -1, i, t).AccountBilledMonths(options.WindowMonths) == 0) excluded.Add((ids[i], $"no spend before {asOf:yyyy-MM-dd}" + (options.WindowMonths is int wm ? $" in the last {wm} months" : "")));
            else keep.Add(i);
        }
        if (keep.Count == 0) throw new WorkbenchException($"No account has spend before {asOf:yyyy-MM-dd}: there is nothing to segment.");

        int d = Columns.Count;
        var rows = new double[keep.Count][];
        var churnRate = new double[keep.Count]; var upsellRate = new double[keep.Count];
        Parallel.For(0, keep.Count, r =>
        {
            int i = keep[r];
            rows[r] = AccountFeatureCatalog.Row(panel, i, t, options.WindowMonths);
            // Outcomes the profiles report (the clustering never sees them): churn and upsell bookings per billed product-month.
            var c = new FeatureContext(null!, panel, -1, i, t);
            double productMonths = c.AccountBilledProductMonths(options.WindowMonths);
            churnRate[r] = (c.AccountPairTotal(panel.Cancellations, options.WindowMonths) + c.AccountPairTotal(panel.NonRenewals, options.WindowMonths)) / productMonths;
            upsellRate[r] = c.AccountPairTotal(panel.AddOns, options.WindowMonths) / productMonths;
        });

        // Accounts without telemetry get the column median (counted, never silent).
        var imputed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < d; j++)
        {
            var observed = rows.Select(x => x[j]).Where(double.IsFinite).Order().ToArray();
            int missing = rows.Length - observed.Length;
            imputed[Columns[j]] = missing;
            if (missing == 0) continue;
            double median = observed.Length > 0 ? Scaling.Quantile(observed, 0.5) : 0;
            foreach (var x in rows) if (!double.IsFinite(x[j])) x[j] = median;
        }

        return new AccountProfiles(keep.Select(i => ids[i]).ToArray(), asOf, FeatureMatrix.FromRows(rows, Columns),
            new Dictionary<string, double[]>(StringComparer.Ordinal) { [ChurnRate] = churnRate, [UpsellRate] = upsellRate },
            (options.ClusteringColumns ?? DefaultClusteringColumns).ToArray(), imputed, excluded);
    }
}
