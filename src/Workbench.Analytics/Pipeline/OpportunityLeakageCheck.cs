namespace Workbench.Analytics.Pipeline;

/// <summary>What moved at one as-of date when everything dated on or after it was erased.</summary>
public sealed record OpportunityLeakageResult(DateOnly AsOf, int Snapshots, int Columns, int ChangedFeatureCells, int ChangedOutcomes)
{
    /// <summary>Names of the features with at least one changed cell.</summary>
    public IReadOnlyList<string> ChangedFeatures { get; init; } = [];

    /// <summary>Share of the compared cells of each feature that hold a value (not unknown) on the full data.</summary>
    public IReadOnlyDictionary<string, double> Coverage { get; init; } = new Dictionary<string, double>();

    public bool FeaturesIgnoreTheFuture => ChangedFeatureCells == 0;

    public override string ToString() =>
        $"as-of {AsOf:yyyy-MM-dd}: {Snapshots} open deals x {Columns} features; feature cells changed by erasing the future: {ChangedFeatureCells}; outcomes changed: {ChangedOutcomes}";
}

/// <summary>
/// The point-in-time rule for opportunity features, demonstrated: features of the deals open on a date are computed
/// twice, on the data and on a copy where everything dated on or after the date is erased (activities and stage changes
/// removed, deals created later removed, later closes reopened with their close-time totals blanked, spend of months not
/// yet over set to zero, usage of those months unmeasured, later engagement events and bookings removed). No feature may move; outcomes do.
/// </summary>
public static class OpportunityLeakageCheck
{
    /// <param name="data">The dataset.</param>
    /// <param name="asOf">The as-of date of the features.</param>
    /// <param name="options">Feature options (prior strength).</param>
    /// <param name="eraseFrom">Erase from this date (default: the as-of date). An earlier date must move features: a guard that the check can fail.</param>
    public static OpportunityLeakageResult Run(CrmDataset data, DateOnly asOf, OpportunityOptions? options = null, DateOnly? eraseFrom = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var cut = eraseFrom ?? asOf;
        bool Future(DateOnly d) => d >= cut;
        var erased = data with
        {
            OpportunityActivities = data.OpportunityActivities.Where(a => !Future(a.Date)).ToList(),
            StageHistory = data.StageHistory.Where(s => !Future(s.EnteredDate)).ToList(),
            Opportunities = data.Opportunities.Where(o => !Future(o.CreatedDate)).Select(o => o.CloseDate is { } c && Future(c)
                ? o with { CloseDate = null, Outcome = OpportunityOutcome.Open, ActivityCount = 0, ContactsInvolved = 0, ContactTitles = "", DeclaredStage = OpportunityStage.Prospecting }
                : o).ToList(),
            Spend = data.Spend.Select(s => s.Month.AddMonths(1) > cut ? s with { Amount = 0m } : s).ToList(),
            // The account's health features read usage, engagement (meetings, emails, trainings, surveys, tickets, champion changes) and bookings.
            Usage = data.Usage.Select(u => u.Month.AddMonths(1) > cut ? u with { SeatsUsed = null, ActiveUsers = null, Utilization = null, KeyActions = null } : u).ToList(),
            Engagement = data.Engagement.Where(e => !Future(e.Date)).ToList(),
            Bookings = data.Bookings.Where(b => !Future(b.Date)).ToList(),
        };
        var a = new PipelineIndex(data); var b = new PipelineIndex(erased);
        var sa = OpportunitySnapshots.OpenOn(a, asOf);
        var sb = OpportunitySnapshots.OpenOn(b, asOf).ToDictionary(s => s.OpportunityId, StringComparer.Ordinal);
        var common = sa.Where(s => sb.ContainsKey(s.OpportunityId)).ToList();
        var ta = OpportunitySnapshots.Features(a, common, options);
        var tb = OpportunitySnapshots.Features(b, common.Select(s => sb[s.OpportunityId]).ToList(), options);
        int cells = 0, outcomes = 0;
        var changed = new bool[ta.ColumnCount];
        var known = new int[ta.ColumnCount];
        for (int i = 0; i < common.Count; i++)
        {
            var ra = ta.Row(i); var rb = tb.Row(i);
            for (int c = 0; c < ra.Length; c++)
            {
                if (!float.IsNaN(ra[c])) known[c]++;
                if (!ra[c].Equals(rb[c])) { cells++; changed[c] = true; }
            }
            if (a.Opps[common[i].Opportunity].Outcome != b.Opps[sb[common[i].OpportunityId].Opportunity].Outcome) outcomes++;
        }
        var names = ta.Registry.Names.ToArray();
        return new OpportunityLeakageResult(asOf, common.Count, ta.ColumnCount, cells, outcomes)
        {
            ChangedFeatures = names.Where((_, c) => changed[c]).ToList(),
            Coverage = names.Select((n, c) => (n, c)).ToDictionary(x => x.n, x => common.Count == 0 ? 0 : (double)known[x.c] / common.Count, StringComparer.Ordinal),
        };
    }
}
