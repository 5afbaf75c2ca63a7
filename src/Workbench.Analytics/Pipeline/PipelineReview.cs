namespace Workbench.Analytics.Pipeline;

/// <summary>The rep's call against the data for one open opportunity.</summary>
public sealed record OpportunityCall(
    string OpportunityId, string AccountId, string RepId, string ProductId, decimal Amount, DateOnly AsOf,
    OpportunityStage DeclaredStage, OpportunityStage SupportedStage, double SupportedStageProbability,
    double WinProbability, double ExpectedValue, int Gap, bool Stuck, int DaysInStage, double? WonMedianDays,
    string StageReason, IReadOnlyList<DealReason> ReasonsFor, IReadOnlyList<DealReason> ReasonsAgainst);

/// <summary>Scores the deals open on a date: win probability, expected close value, declared against supported stage
/// with the evidence in words, stuck-deal flags, and TreeSHAP reasons for and against a win.</summary>
public static class PipelineReview
{
    public static IReadOnlyList<OpportunityCall> Review(OpportunityModel model, PipelineIndex index, DateOnly? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(index);
        var date = asOf ?? index.DataEnd;
        var snaps = OpportunitySnapshots.OpenOn(index, date);
        if (snaps.Count == 0) return [];
        var table = OpportunitySnapshots.Features(index, snaps, model.Options);
        var scores = model.Score(table, index);
        var reasons = model.Explain(table, Enumerable.Range(0, snaps.Count).ToList());
        var calls = new OpportunityCall[snaps.Count];
        for (int i = 0; i < snaps.Count; i++)
        {
            var o = index.Opps[snaps[i].Opportunity];
            float V(string f) => table.Value(i, f);
            float recorded = V(OpportunityFeatures.RecordedStage);
            var declared = float.IsNaN(recorded) ? o.DeclaredStage : (OpportunityStage)(int)recorded;
            var sc = scores[i];
            var supported = (OpportunityStage)sc.SupportedStage;
            float inStage = V(OpportunityFeatures.DaysInStage), vsMedian = V(OpportunityFeatures.StageDaysVsWonMedian);
            double? median = float.IsNaN(vsMedian) ? null : inStage - vsMedian;
            bool stuck = median is { } m && inStage > model.Options.StuckFactor * m && inStage - m >= model.Options.StuckMinDays;
            calls[i] = new OpportunityCall(o.OpportunityId, o.AccountId, o.RepId, o.ProductId, o.Amount, date, declared, supported,
                sc.StageProbabilities[sc.SupportedStage], sc.WinProbability, sc.ExpectedValue, (int)declared - sc.SupportedStage, stuck,
                float.IsNaN(inStage) ? 0 : (int)inStage, median, StageReason(declared, supported, sc.StageProbabilities[sc.SupportedStage], V, median, inStage),
                reasons[i].For, reasons[i].Against);
        }
        return calls;
    }

    static string Name(OpportunityStage s) => s.ToString().ToLowerInvariant();

    /// <summary>"recorded as negotiation; the data supports qualification (64%): 2 contacts, no meeting in 30 days, no proposal
    /// sent, 12 days past the won median for negotiation".</summary>
    static string StageReason(OpportunityStage declared, OpportunityStage supported, double probability, Func<string, float> v, double? median, float inStage)
    {
        var ci = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        int contacts = (int)v(OpportunityFeatures.Contacts), senior = (int)v(OpportunityFeatures.SeniorContacts);
        parts.Add(string.Create(ci, $"{contacts} contact{(contacts == 1 ? "" : "s")}{(senior > 0 ? $" ({senior} executive{(senior == 1 ? "" : "s")})" : "")}"));
        int m30 = (int)v(OpportunityFeatures.Meetings30);
        parts.Add(m30 == 0 ? "no meeting in 30 days" : string.Create(ci, $"{m30} meeting{(m30 == 1 ? "" : "s")} in 30 days"));
        int demos = (int)v(OpportunityFeatures.Demos), proposals = (int)v(OpportunityFeatures.Proposals);
        parts.Add(demos == 0 ? "no demo" : string.Create(ci, $"{demos} demo{(demos == 1 ? "" : "s")}"));
        parts.Add(proposals == 0 ? "no proposal sent" : "a proposal sent");
        if (median is { } m && !float.IsNaN(inStage))
        {
            double over = inStage - m;
            parts.Add(over > 0 ? string.Create(ci, $"{over:0} days past the won median for {Name(declared)}")
                : string.Create(ci, $"{-over:0} days inside the won median for {Name(declared)}"));
        }
        string verdict = declared == supported ? $"the data agrees ({Name(supported)}, {probability.ToString("0%", ci)})"
            : $"the data supports {Name(supported)} ({probability.ToString("0%", ci)})";
        return $"recorded as {Name(declared)}; {verdict}: {string.Join(", ", parts)}";
    }
}
