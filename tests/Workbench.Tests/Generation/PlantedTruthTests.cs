using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Generation;

[Collection(GeneratedDataCollection.Name)]
public sealed class PlantedTruthTests(GeneratedDataFixture fixture)
{
    readonly CrmDataset _data = fixture.Data;
    readonly PlantedTruth _truth = fixture.Truth;

    static void AssertStrictlyRising(double[] rates, string what)
    {
        for (int i = 1; i < rates.Length; i++)
            Assert.True(rates[i] > rates[i - 1], $"{what} should rise across quintiles: {string.Join(", ", rates.Select(r => r.ToString("F4")))}");
    }

    [Fact]
    public void Realized_churn_rises_across_quintiles_of_the_planted_churn_probability()
    {
        var rates = TruthMath.RateByQuantile(_truth.Risks.Select(r => r.PChurn).ToList(), fixture.Churned);
        AssertStrictlyRising(rates, "churn rate by planted p_churn");
        Assert.True(rates[4] > 5 * rates[0], "top quintile should churn far more often than the bottom one");
    }

    [Fact]
    public void Realized_upsell_rises_across_quintiles_of_the_planted_upsell_probability()
    {
        var rates = TruthMath.RateByQuantile(_truth.Risks.Select(r => r.PUpsell).ToList(), fixture.Upsold);
        AssertStrictlyRising(rates, "upsell rate by planted p_upsell");
        Assert.True(rates[4] > 5 * rates[0]);
    }

    [Fact]
    public void Planted_probabilities_are_calibrated_on_average()
    {
        double meanChurn = _truth.Risks.Average(r => r.PChurn), realizedChurn = fixture.Churned.Average(b => b ? 1.0 : 0);
        double meanUpsell = _truth.Risks.Average(r => r.PUpsell), realizedUpsell = fixture.Upsold.Average(b => b ? 1.0 : 0);
        Assert.InRange(realizedChurn / meanChurn, 0.9, 1.1);
        Assert.InRange(realizedUpsell / meanUpsell, 0.9, 1.1);
    }

    /// <summary>The observable driver, computed from the usage table alone: utilization last month minus
    /// 3 months earlier. Only products with 20+ seats: with a handful of seats utilization moves in coarse
    /// steps (1/3, 2/3...) and ties at "no change" mix segments.</summary>
    (List<double> Change, List<bool> Churned, List<bool> Upsold) UtilizationChange()
    {
        var change = new List<double>(); var churned = new List<bool>(); var upsold = new List<bool>();
        var risks = _truth.Risks;
        for (int i = 0; i < risks.Count; i++)
        {
            var r = risks[i];
            if (fixture.UsageByKey.TryGetValue((r.AccountId, r.ProductId, r.Month.AddMonths(-1)), out var last)
                && fixture.UsageByKey.TryGetValue((r.AccountId, r.ProductId, r.Month.AddMonths(-4)), out var earlier)
                && last.Utilization is double u1 && earlier.Utilization is double u4 && last.SeatsPurchased >= 20)
            {
                change.Add(u1 - u4); churned.Add(fixture.Churned[i]); upsold.Add(fixture.Upsold[i]);
            }
        }
        return (change, churned, upsold);
    }

    [Fact]
    public void Churn_rises_across_quintiles_of_an_observed_utilization_drop()
    {
        var (change, churned, _) = UtilizationChange();
        Assert.True(change.Count > 50_000, $"enough rows with 3-month history: {change.Count}");
        AssertStrictlyRising(TruthMath.RateByQuantile(change.Select(c => -c).ToList(), churned), "churn rate by utilization drop");
    }

    [Fact]
    public void Upsell_rises_across_quintiles_of_an_observed_utilization_rise()
    {
        var (change, _, upsold) = UtilizationChange();
        AssertStrictlyRising(TruthMath.RateByQuantile(change, upsold), "upsell rate by utilization rise");
    }

    [Fact]
    public void Oracle_auc_is_high_and_beats_a_single_observable_driver()
    {
        double oracleChurn = Workbench.Analytics.Ranking.ClassificationMetrics.RocAuc(_truth.Risks.Select(r => r.PChurn).ToList(), fixture.Churned);
        double oracleUpsell = Workbench.Analytics.Ranking.ClassificationMetrics.RocAuc(_truth.Risks.Select(r => r.PUpsell).ToList(), fixture.Upsold);
        var (change, churned, upsold) = UtilizationChange();
        double driverChurn = Workbench.Analytics.Ranking.ClassificationMetrics.RocAuc(change.Select(c => -c).ToList(), churned);
        double driverUpsell = Workbench.Analytics.Ranking.ClassificationMetrics.RocAuc(change, upsold);
        Assert.InRange(oracleChurn, 0.78, 0.97);
        Assert.InRange(oracleUpsell, 0.75, 0.97);
        Assert.True(driverChurn > 0.55 && driverChurn < oracleChurn, $"utilization drop AUC {driverChurn:F3} vs oracle {oracleChurn:F3}");
        Assert.True(driverUpsell > 0.55 && driverUpsell < oracleUpsell, $"utilization rise AUC {driverUpsell:F3} vs oracle {oracleUpsell:F3}");
    }

    [Fact]
    public void Dominant_driver_varies_across_account_products()
    {
        foreach (var drivers in new[] { _truth.Risks.Select(r => r.ChurnDriver), _truth.Risks.Select(r => r.UpsellDriver) })
        {
            var shares = drivers.GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count() / (double)_truth.Risks.Count);
            var common = shares.Where(kv => kv.Key != Driver.None && kv.Value >= 0.05).Select(kv => kv.Key).ToList();
            Assert.True(common.Count >= 4, "at least four drivers each dominate 5%+ of rows: " + string.Join(", ", shares.Select(kv => $"{kv.Key}={kv.Value:P1}")));
            Assert.True(shares.Values.Max() < 0.5, "no driver dominates half the rows");
        }
        var churnDrivers = _truth.Risks.Select(r => r.ChurnDriver).ToHashSet();
        foreach (var d in new[] { Driver.UtilizationTrend, Driver.HeadcountGrowth, Driver.Engagement, Driver.SupportLoad, Driver.ChampionChange, Driver.PriceChange })
            Assert.Contains(d, churnDrivers);
    }

    [Fact]
    public void Segments_differ_clearly_in_spend_and_utilization()
    {
        var (ids, _) = TruthMath.SegmentationFeatures(_data, GeneratedDataFixture.Options.Months);
        var segmentOf = _truth.Segments.ToDictionary(s => s.AccountId, s => s.Segment);
        var spend = _data.Spend.GroupBy(s => s.AccountId).ToDictionary(g => g.Key, g => Math.Log((double)g.Average(x => x.Amount)));
        var utilization = _data.Usage.Where(u => u.Utilization.HasValue).GroupBy(u => u.AccountId).ToDictionary(g => g.Key, g => g.Average(u => u.Utilization!.Value));
        var profiles = ids.GroupBy(id => segmentOf[id]).OrderBy(g => g.Key)
            .Select(g => (Segment: g.Key, Spend: g.Average(id => spend[id]), Util: g.Average(id => utilization[id]))).ToList();
        Assert.Equal(GeneratedDataFixture.Options.Segments, profiles.Count);
        for (int a = 0; a < profiles.Count; a++)
            for (int b = a + 1; b < profiles.Count; b++)
            {
                bool distinct = Math.Abs(profiles[a].Spend - profiles[b].Spend) > 0.5 || Math.Abs(profiles[a].Util - profiles[b].Util) > 0.08;
                Assert.True(distinct, $"segments {profiles[a].Segment} and {profiles[b].Segment} look alike: {profiles[a]} vs {profiles[b]}");
            }
    }

    [Fact]
    public void Kmeans_on_account_features_recovers_the_planted_segments()
    {
        var (ids, features) = TruthMath.SegmentationFeatures(_data, GeneratedDataFixture.Options.Months);
        var segmentOf = _truth.Segments.ToDictionary(s => s.AccountId, s => s.Segment);
        var clusters = TruthMath.KMeans(features, GeneratedDataFixture.Options.Segments, seed: 3);
        double ari = TruthMath.AdjustedRandIndex(clusters, ids.Select(id => segmentOf[id]).ToList());
        Assert.True(ari >= 0.8, $"adjusted Rand index {ari:F3}");
    }

    [Fact]
    public void Observed_action_response_rates_match_the_planted_state_dependent_rates()
    {
        // Each logged decision carries its own planted rate (segment base rate x the account's state); the observed
        // response share of a segment-action cell matches the mean planted rate of its decisions.
        var segmentOf = _truth.Segments.ToDictionary(s => s.AccountId, s => s.Segment);
        var rate = _truth.ActionValues.ToDictionary(v => (v.ActionId, v.Action), v => v.ResponseRate);
        var cells = _data.Actions.GroupBy(a => (a.Action, segmentOf[a.AccountId])).Where(g => g.Count() >= 100).ToList();
        Assert.True(cells.Count >= 10, $"cells with 100+ actions: {cells.Count}");
        foreach (var cell in cells)
        {
            double planted = cell.Average(a => rate[(a.ActionId, a.Action)]);
            Assert.InRange(cell.Average(a => a.Responded ? 1.0 : 0), planted - 0.10, planted + 0.10);
        }
    }

    [Fact]
    public void Every_logged_action_has_its_propensity_and_truth_for_every_candidate_action()
    {
        var values = _truth.ActionValues.GroupBy(v => v.ActionId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(_data.Actions, a =>
        {
            Assert.True(a.Propensity is > 0 and <= 1, $"{a.ActionId} propensity {a.Propensity}");
            Assert.Equal(5, values[a.ActionId].Count);
            if (!a.Responded) Assert.Equal(0m, a.LongTermValue);
        });
        // The immediate objective and the long-term objective disagree on a real share of decisions.
        int disagree = values.Values.Count(v => v.MaxBy(x => x.ExpectedImmediate)!.Action != v.MaxBy(x => x.ExpectedValue)!.Action);
        Assert.True(disagree > values.Count / 5, $"decisions where the myopic and the long-term best action differ: {disagree} of {values.Count}");
        // Logged long-term values are unbiased for the planted expectation of the logged action.
        var expected = _data.Actions.Average(a => values[a.ActionId].First(v => v.Action == a.Action).ExpectedValue);
        var observed = _data.Actions.Average(a => (double)a.LongTermValue!.Value);
        double sd = Math.Sqrt(_data.Actions.Average(a => Math.Pow((double)a.LongTermValue!.Value - observed, 2)) / _data.Actions.Count);
        Assert.InRange(observed, expected - 4 * sd, expected + 4 * sd);
    }

    [Fact]
    public void Skilled_reps_win_more_and_optimistic_reps_declare_later_stages()
    {
        var segmentOf = _truth.Segments.ToDictionary(s => s.AccountId, s => s.Segment);
        var skill = _truth.RepSkills.ToDictionary(s => (s.RepId, s.Segment), s => s.WinRate);
        var closed = _data.Opportunities.Where(o => o.Outcome != OpportunityOutcome.Open).ToList();
        var bySkill = closed.OrderBy(o => skill[(o.RepId, segmentOf[o.AccountId])]).ToList();
        double lowHalf = bySkill.Take(bySkill.Count / 2).Average(o => o.Outcome == OpportunityOutcome.Won ? 1.0 : 0);
        double highHalf = bySkill.Skip(bySkill.Count / 2).Average(o => o.Outcome == OpportunityOutcome.Won ? 1.0 : 0);
        Assert.True(highHalf > lowHalf + 0.1, $"win rate of high-skill cells {highHalf:F3} vs low {lowHalf:F3}");

        // Declared minus true stage at the review date (two weeks before close, or the window end for open deals): the true
        // stage is the one in truth/opportunity_weeks (stage_history is what the rep recorded, bias included).
        var bias = _truth.RepBiases.ToDictionary(b => b.RepId, b => b.StageBias);
        var weeks = _truth.OpportunityWeeks.GroupBy(w => w.OpportunityId).ToDictionary(g => g.Key, g => g.OrderBy(w => w.WeekStart).ToList());
        var windowEnd = GeneratedDataFixture.Options.FirstMonth.AddMonths(GeneratedDataFixture.Options.Months).AddDays(-1);
        double Gap(Opportunity o)
        {
            var review = o.CloseDate is { } close ? (close.AddDays(-14) < o.CreatedDate ? o.CreatedDate : close.AddDays(-14)) : windowEnd;
            var trueStage = weeks[o.OpportunityId].Where(w => w.WeekStart <= review).Select(w => w.TrueStage).DefaultIfEmpty(OpportunityStage.Prospecting).Last();
            return (int)o.DeclaredStage - (int)trueStage;
        }
        double optimistic = _data.Opportunities.Where(o => bias[o.RepId] >= 0.6).Average(Gap);
        double honest = _data.Opportunities.Where(o => Math.Abs(bias[o.RepId]) < 0.3).Average(Gap);
        Assert.True(optimistic > 0.3, $"optimistic reps' mean stage gap {optimistic:F2}");
        Assert.InRange(honest, -0.15, 0.15);
    }

    [Fact]
    public void Planted_weekly_win_probabilities_are_calibrated_and_won_deals_meet_more_often()
    {
        var outcome = _data.Opportunities.ToDictionary(o => o.OpportunityId, o => o.Outcome);
        var closed = _truth.OpportunityWeeks.Where(w => outcome[w.OpportunityId] != OpportunityOutcome.Open).ToList();
        Assert.NotEmpty(closed);
        // Within each decile of the planted probability the observed win rate matches it.
        foreach (var bin in closed.OrderBy(w => w.WinProbability).Select((w, i) => (w, i)).GroupBy(x => x.i * 10 / closed.Count))
        {
            double predicted = bin.Average(x => x.w.WinProbability);
            double observed = bin.Average(x => outcome[x.w.OpportunityId] == OpportunityOutcome.Won ? 1.0 : 0.0);
            Assert.True(Math.Abs(predicted - observed) < 0.06, $"decile {bin.Key}: planted {predicted:F3}, observed {observed:F3}");
        }
        // Meetings per opportunity: won deals more than lost ones (the planted signal).
        var meetings = _data.OpportunityActivities.Where(a => a.Type == ActivityType.Meeting).GroupBy(a => a.OpportunityId).ToDictionary(g => g.Key, g => g.Count());
        double Rate(OpportunityOutcome o) => _data.Opportunities.Where(x => x.Outcome == o && x.CloseDate is not null)
            .Average(x => meetings.GetValueOrDefault(x.OpportunityId) / Math.Max(1.0, (x.CloseDate!.Value.DayNumber - x.CreatedDate.DayNumber) / 7.0));
        Assert.True(Rate(OpportunityOutcome.Won) > 1.5 * Rate(OpportunityOutcome.Lost), $"won {Rate(OpportunityOutcome.Won):F3} vs lost {Rate(OpportunityOutcome.Lost):F3} meetings a week");
    }
}
