namespace Workbench.Analytics.Pipeline;

/// <summary>
/// The opportunity tables of a dataset indexed for point-in-time lookups: per opportunity its activities and recorded
/// stage changes in date order; per account its monthly spend; closed deals in close-date order for the rep's and
/// segment's prior win rates and for the won-deal median days per recorded stage.
/// </summary>
public sealed class PipelineIndex
{
    internal readonly Opportunity[] Opps;
    internal readonly (DateOnly Date, ActivityType Type, int Seniority)[][] Activities;
    internal readonly (DateOnly Date, OpportunityStage Stage)[][] Stages;
    internal readonly Dictionary<string, (DateOnly Month, double Amount)[]> SpendByAccount;
    internal readonly Dictionary<string, string> SegmentOfAccount;
    readonly Dictionary<string, int> _byId;
    /// <summary>The account tables as the prioritizer sees them (null when the data has no accounts or no spend/usage).</summary>
    internal readonly MonthlyPanel? Panel;
    internal readonly FeatureBuilder? AccountFeatures;

    /// <summary>Deals that closed (won or lost), ordered by close date.</summary>
    internal readonly int[] ClosedByDate;
    internal readonly DateOnly[] CloseDates;

    /// <summary>The last day covered by the data plus one: the default as-of date for scoring open deals.</summary>
    public DateOnly DataEnd { get; }

    public IReadOnlyList<Opportunity> Opportunities => Opps;

    public PipelineIndex(CrmDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Opps = data.Opportunities.ToArray();
        _byId = new Dictionary<string, int>(Opps.Length, StringComparer.Ordinal);
        for (int i = 0; i < Opps.Length; i++) _byId[Opps[i].OpportunityId] = i;

        var acts = new List<(DateOnly, ActivityType, int)>[Opps.Length];
        foreach (var a in data.OpportunityActivities)
        {
            if (!_byId.TryGetValue(a.OpportunityId, out int i)) continue;
            (acts[i] ??= []).Add((a.Date, a.Type, a.Type == ActivityType.ContactJoined ? OpportunityFeatures.Seniority(a.ContactTitle) : 0));
        }
        Activities = acts.Select(l => l is null ? [] : l.OrderBy(x => x.Item1).ThenBy(x => (int)x.Item2).ToArray()).ToArray();

        var stages = new List<(DateOnly, OpportunityStage)>[Opps.Length];
        foreach (var s in data.StageHistory)
        {
            if (!_byId.TryGetValue(s.OpportunityId, out int i)) continue;
            (stages[i] ??= []).Add((s.EnteredDate, s.Stage));
        }
        Stages = stages.Select(l => l is null ? [] : l.OrderBy(x => x.Item1).ThenBy(x => (int)x.Item2).ToArray()).ToArray();

        SpendByAccount = data.Spend.GroupBy(s => s.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(s => s.Month).Select(m => (m.Key, m.Sum(x => (double)x.Amount))).OrderBy(x => x.Key).ToArray(), StringComparer.Ordinal);
        SegmentOfAccount = data.Accounts.ToDictionary(a => a.AccountId, a => a.RevenueBand, StringComparer.Ordinal);

        if (data.Accounts.Count > 0 && (data.Spend.Count > 0 || data.Usage.Count > 0))
        {
            Panel = new MonthlyPanel(data);
            AccountFeatures = new FeatureBuilder(Panel);
        }
        var accountIndex = Panel is null ? new Dictionary<string, int>()
            : Panel.AccountIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        AccountOfOpp = Opps.Select(o => accountIndex.TryGetValue(o.AccountId, out int a) ? a : -1).ToArray();

        ClosedByDate = Enumerable.Range(0, Opps.Length).Where(i => Opps[i].Outcome != OpportunityOutcome.Open && Opps[i].CloseDate is not null)
            .OrderBy(i => Opps[i].CloseDate!.Value).ThenBy(i => i).ToArray();
        CloseDates = ClosedByDate.Select(i => Opps[i].CloseDate!.Value).ToArray();

        DateOnly end = DateOnly.MinValue;
        if (data.Spend.Count > 0) end = data.Spend.Max(s => s.Month).AddMonths(1);
        foreach (var o in Opps)
        {
            if (o.CreatedDate.AddDays(1) > end) end = o.CreatedDate.AddDays(1);
            if (o.CloseDate is { } c && c.AddDays(1) > end) end = c.AddDays(1);
        }
        foreach (var a in Activities) if (a.Length > 0 && a[^1].Date.AddDays(1) > end) end = a[^1].Date.AddDays(1);
        DataEnd = end;
    }

    /// <summary>The panel's index of each opportunity's account (-1 when there is no panel or the account is not in it).</summary>
    internal readonly int[] AccountOfOpp;

    public int IndexOf(string opportunityId) => _byId.TryGetValue(opportunityId, out int i) ? i
        : throw new KeyNotFoundException($"No opportunity '{opportunityId}'.");

    /// <summary>The stage the rep had recorded on changes dated before <paramref name="asOf"/> (-1 when none yet).</summary>
    internal int RecordedStageBefore(int opp, DateOnly asOf, out DateOnly since)
    {
        int stage = -1; since = default;
        foreach (var (date, s) in Stages[opp])
        {
            if (date >= asOf) break;
            if (s <= OpportunityStage.Negotiation) { stage = (int)s; since = date; }
        }
        return stage;
    }

    /// <summary>Last as-of date on which the deal is open: the day before it closed, or, for a deal still open, the day
    /// after the data's last day (when everything in the data is in the past).</summary>
    internal DateOnly OpenUntil(int opp) => Opps[opp].CloseDate is { } c && Opps[opp].Outcome != OpportunityOutcome.Open ? c.AddDays(-1) : DataEnd;

    /// <summary>Is the deal open on <paramref name="asOf"/> (created before it, not closed before or on it)?</summary>
    public bool IsOpenOn(int opp, DateOnly asOf) => Opps[opp].CreatedDate < asOf && asOf <= OpenUntil(opp);
}
