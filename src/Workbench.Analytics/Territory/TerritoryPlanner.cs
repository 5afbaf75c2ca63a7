using Workbench.Analytics.Segmentation;

namespace Workbench.Analytics.Territory;

/// <summary>
/// Fits the territory model: account groups (K-Means on point-in-time profile features, reusing
/// <see cref="Segmentation"/>, or a user-supplied segmentation), then each rep's win rate in each group from the
/// opportunities that closed before the planning date, shrunk toward the group's rate (<see cref="RepAffinity"/>).
/// The fitted <see cref="TerritoryModel"/> plans: which rep should own which account.
/// </summary>
/// <example>
/// <code>
/// var model = TerritoryPlanner.Fit(data, new TerritoryOptions { Seed = 7 });
/// var plan = model.Plan(model.BookFor(data), new AssignmentOptions { CapacityTolerance = 0.1, MaxMoves = 200 });
/// </code>
/// </example>
public static class TerritoryPlanner
{
    /// <summary>Fits with default options (5 K-Means groups, plan date after the last month).</summary>
    public static TerritoryModel Fit(CrmDataset data, int seed = 42) => Fit(data, new TerritoryOptions { Seed = seed });

    public static TerritoryModel Fit(CrmDataset data, TerritoryOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.Reps.Count == 0) throw new WorkbenchException("The dataset has no reps: there is nobody to assign accounts to.");

        string[] accountIds;
        int[] groups;
        string[] labels;
        DateOnly date;
        string grouping;
        if (options.UserGroups is { } user)
        {
            date = options.PlanningDate ?? DefaultPlanningDate(data);
            accountIds = data.Accounts.Select(a => a.AccountId).Where(id => user.ContainsKey(id)).Order(StringComparer.Ordinal).ToArray();
            var missing = data.Accounts.Where(a => !user.ContainsKey(a.AccountId)).Select(a => a.AccountId).Order(StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
                throw new WorkbenchException($"The supplied segmentation has no group for {missing.Length:N0} account(s), e.g. '{missing[0]}'; every account needs one.");
            labels = accountIds.Select(id => user[id]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var labelIndex = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
            groups = accountIds.Select(id => labelIndex[user[id]]).ToArray();
            grouping = $"user-supplied segmentation ({labels.Length} groups)";
        }
        else
        {
            progress?.Report("profile features");
            var profiles = AccountProfileFeatures.Build(data, options.PlanningDate);
            date = profiles.AsOf;
            if (profiles.AccountIds.Count < options.Groups)
                throw new WorkbenchException($"Only {profiles.AccountIds.Count} accounts have history before {date:yyyy-MM-dd}; {options.Groups} groups need at least as many.");
            progress?.Report("k-means groups");
            var x = profiles.Clustering;
            var log1p = AccountProfileFeatures.Log1pColumns.Where(profiles.ClusteringColumns.Contains).ToArray();
            var scaled = Scaling.FitTransform(x, ScalingMethod.Standard, log1p);
            if (options.PcaComponents is int m)
            {
                if (m > scaled.Columns) throw new OptionsValidationException($"PcaComponents ({m}) exceeds the {scaled.Columns} profile columns clustered.");
                scaled = Pca.Fit(scaled).Transform(scaled, m);
            }
            var km = KMeans.Fit(scaled, new KMeansOptions(options.Groups) { NInit = 3, Seed = RunContext.DeriveSeed(options.Seed, "territory-groups") });
            accountIds = profiles.AccountIds.ToArray();
            groups = km.Labels;
            var named = SegmentProfiler.Build(profiles.All, groups, null,
                new ProfileOptions { ColumnRoles = AccountProfileFeatures.ColumnRoles, Log1pColumns = AccountProfileFeatures.Log1pColumns.ToArray() });
            labels = Enumerable.Range(0, options.Groups)
                .Select(k => named.FirstOrDefault(p => p.Segment == k) is { } p ? $"G{k + 1} {p.Name}" : $"G{k + 1}").ToArray();
            grouping = $"K-Means, k={options.Groups}, on {string.Join(", ", profiles.ClusteringColumns)}" +
                (options.PcaComponents is int pc ? $" (first {pc} principal components)" : "") +
                (profiles.ExcludedAccounts.Count > 0 ? $"; {profiles.ExcludedAccounts.Count:N0} accounts without history before the plan date left out" : "");
        }

        progress?.Report("win history");
        var groupOf = new Dictionary<string, int>(accountIds.Length, StringComparer.Ordinal);
        for (int i = 0; i < accountIds.Length; i++) groupOf[accountIds[i]] = groups[i];
        var from = options.HistoryMonths is int h ? date.AddMonths(-h) : DateOnly.MinValue;
        var deals = new List<ClosedDeal>();
        DateOnly? first = null;
        foreach (var o in data.Opportunities)
        {
            if (o.Outcome == OpportunityOutcome.Open || o.CloseDate is not { } close || close >= date || close < from) continue;
            if (!groupOf.TryGetValue(o.AccountId, out int g)) continue;
            deals.Add(new ClosedDeal(o.RepId, g, o.Outcome == OpportunityOutcome.Won, (double)o.Amount));
            if (first is null || close < first) first = close;
        }
        if (deals.Count == 0) throw new WorkbenchException($"No opportunity closed (won or lost) before {date:yyyy-MM-dd}: there is no win history to learn rep affinity from.");
        var start = options.HistoryMonths is not null ? from : first!.Value;
        double years = (date.DayNumber - start.DayNumber) / 365.25;
        var reps = data.Reps.OrderBy(r => r.RepId, StringComparer.Ordinal).Select(r => new TerritoryRep(r.RepId, r.Name, r.Region)).ToArray();
        var counts = new int[labels.Length];
        foreach (var g in groups) counts[g]++;
        var (groupInfo, cells) = RepAffinity.Estimate(deals, reps.Select(r => r.RepId).ToArray(), labels, counts, years, options.IntervalLevel);
        return new TerritoryModel(options with { PlanningDate = date }, date, grouping, groupInfo, reps, cells, groupOf, deals.Count);
    }

    /// <summary>The first day after the last month with spend or usage.</summary>
    public static DateOnly DefaultPlanningDate(CrmDataset data)
    {
        var months = data.Spend.Select(s => s.Month).Concat(data.Usage.Select(u => u.Month)).ToList();
        if (months.Count == 0) throw new WorkbenchException("The dataset has no spend or usage rows; give the planning date explicitly.");
        var last = months.Max();
        return new DateOnly(last.Year, last.Month, 1).AddMonths(1);
    }
}
