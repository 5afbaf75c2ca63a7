using Workbench.Domain;

namespace Workbench.Analytics.Pipeline;

/// <summary>What moved at one as-of date when everything dated on or after it was erased.</summary>
public sealed record OpportunityLeakageResult(DateOnly AsOf, int Snapshots, int Columns, int ChangedFeatureCells, int ChangedOutcomes)
{
    public bool FeaturesIgnoreTheFuture => ChangedFeatureCells == 0;

    public override string ToString() =>
        $"as-of {AsOf:yyyy-MM-dd}: {Snapshots} open deals x {Columns} features; feature cells changed by erasing the future: {ChangedFeatureCells}; outcomes changed: {ChangedOutcomes}";
}

/// <summary>
/// The point-in-time rule for opportunity features, demonstrated: features of the deals open on a date are computed
/// twice, on the data and on a copy where everything dated on or after the date is erased (activities and stage changes
/// removed, deals created later removed, later closes reopened with their close-time totals blanked, spend of months not
/// yet over set to zero). No feature may move; outcomes do.
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
        };
        var a = new PipelineIndex(data); var b = new PipelineIndex(erased);
        var sa = OpportunitySnapshots.OpenOn(a, asOf);
        var sb = OpportunitySnapshots.OpenOn(b, asOf).ToDictionary(s => s.OpportunityId, StringComparer.Ordinal);
        var common = sa.Where(s => sb.ContainsKey(s.OpportunityId)).ToList();
        var ta = OpportunitySnapshots.Features(a, common, options);
        var tb = OpportunitySnapshots.Features(b, common.Select(s => sb[s.OpportunityId]).ToList(), options);
        int cells = 0, outcomes = 0;
        for (int i = 0; i < common.Count; i++)
        {
            var ra = ta.Row(i); var rb = tb.Row(i);
            for (int c = 0; c < ra.Length; c++) if (!ra[c].Equals(rb[c])) cells++;
            if (a.Opps[common[i].Opportunity].Outcome != b.Opps[sb[common[i].OpportunityId].Opportunity].Outcome) outcomes++;
        }
        return new OpportunityLeakageResult(asOf, common.Count, ta.ColumnCount, cells, outcomes);
    }
}
