using System.Text.Json;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Reporting;
using Workbench.Reporting.Labeling;
using Workbench.Reporting.Ranking;

namespace Workbench.Tests.Reporting;

/// <summary>Charts are checked through their Plotly JSON: trace types, names, titles and the data they carry.</summary>
[Collection(ReportingCollection.Name)]
public class ChartJsonTests(ReportingFixture fx)
{
    static JsonElement Parse(Plotly.NET.GenericChart chart) => JsonDocument.Parse(ChartText.ToJson(chart)).RootElement;
    static JsonElement[] Traces(JsonElement chart) => chart.GetProperty("data").EnumerateArray().ToArray();
    static string Title(JsonElement chart) => chart.GetProperty("layout").GetProperty("title").GetProperty("text").GetString()!;
    static string[] Names(JsonElement chart) => Traces(chart).Select(t => t.GetProperty("name").GetString()!).ToArray();

    [Fact]
    public void Balance_over_time_is_three_stacked_bar_traces_with_one_bar_per_as_of_date()
    {
        var report = fx.Labeled.Report;
        var chart = Parse(LabelCharts.BalanceOverTime(report));
        var traces = Traces(chart);
        Assert.Equal(["upsell", "churn", "flat"], Names(chart));
        Assert.All(traces, t => Assert.Equal("bar", t.GetProperty("type").GetString()));
        Assert.Equal("stack", chart.GetProperty("layout").GetProperty("barmode").GetString());
        Assert.Equal("Label balance over time", Title(chart));
        // The churn bars carry the report's churn counts, month by month.
        Assert.Equal(report.ByMonth.Select(b => (double)b.Churn), traces[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(report.ByMonth.Select(b => b.Group), traces[1].GetProperty("x").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Balance_by_product_in_shares_adds_up_to_one_per_product()
    {
        var chart = Parse(LabelCharts.BalanceByProduct(fx.Labeled.Report));
        var ys = Traces(chart).Select(t => t.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal(fx.Labeled.Report.ByProduct.Count, ys[0].Length);
        for (int i = 0; i < ys[0].Length; i++) Assert.Equal(1.0, ys[0][i] + ys[1][i] + ys[2][i], 9);
        Assert.Contains("by product", Title(chart));
    }

    [Fact]
    public void Account_spend_chart_has_a_line_per_product_a_total_and_the_shaded_label_window()
    {
        var lf = fx.Labeled;
        var label = lf.Labels.First(l => l.Outcome == Outcome.Churn);
        var window = LabelWindow.Of(label, lf.Panel, lf.SnapshotOptions);
        var history = AccountHistory.Of(lf.Panel, window.AccountId);
        var chart = Parse(LabelCharts.AccountSpend(lf.Panel, window.AccountId, window));
        var names = Names(chart);
        Assert.StartsWith("label window (", names[0]);
        Assert.Equal("toself", Traces(chart)[0].GetProperty("fill").GetString());
        foreach (var p in history.Products) Assert.Contains(p, names);
        Assert.Contains("total", names);
        Assert.Contains(names, n => n.StartsWith("as-of ", StringComparison.Ordinal));
        Assert.Contains($"Monthly spend of {window.AccountId}: label window", Title(chart));
        Assert.All(Traces(chart), t => Assert.Equal("scatter", t.GetProperty("type").GetString()));
    }

    [Fact]
    public void A_label_window_of_another_account_is_refused()
    {
        var lf = fx.Labeled;
        var window = LabelWindow.Of(lf.Labels[0], lf.Panel, lf.SnapshotOptions);
        var other = lf.Panel.AccountIds.First(a => a != window.AccountId);
        Assert.Throws<WorkbenchException>(() => LabelCharts.AccountSpend(AccountHistory.Of(lf.Panel, other), window));
    }

    [Fact]
    public void Roc_chart_has_the_chance_diagonal_and_each_target_named_with_its_auc_and_oracle()
    {
        var r = fx.Ranking;
        var chart = Parse(RankingCharts.Roc(r.Churn, r.Upsell));
        var names = Names(chart);
        Assert.Equal("chance (AUC 0.500)", names[0]);
        Assert.Contains(names, n => n.StartsWith($"churn: AUC {r.Churn.Auc:0.000} (oracle {r.Churn.OracleAuc:0.000})", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("upsell: AUC", StringComparison.Ordinal));
        var churn = Traces(chart)[1];
        Assert.Equal(r.Churn.Roc.Count, churn.GetProperty("x").GetArrayLength());
        Assert.Equal("ROC curve (test months)", Title(chart));
        Assert.Equal("false positive rate", chart.GetProperty("layout").GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void Precision_recall_chart_carries_the_curve_and_the_base_rate()
    {
        var m = fx.Ranking.Upsell;
        var chart = Parse(RankingCharts.PrecisionRecall(m));
        Assert.Equal($"Precision-recall: upsell", Title(chart));
        Assert.Equal(m.PrecisionRecall.Count, Traces(chart)[1].GetProperty("x").GetArrayLength());
        Assert.StartsWith("base rate", Names(chart)[0], StringComparison.Ordinal);
        // Recall only grows as the threshold falls, and the last point has found every positive.
        for (int i = 1; i < m.PrecisionRecall.Count; i++) Assert.True(m.PrecisionRecall[i].Recall >= m.PrecisionRecall[i - 1].Recall);
        Assert.Equal(1.0, m.PrecisionRecall[^1].Recall, 12);
        Assert.Equal((double)m.Positives / m.Rows, m.PrecisionRecall[^1].Precision, 12);
    }

    [Fact]
    public void Gain_lift_and_reliability_charts_carry_their_curves()
    {
        var m = fx.Ranking.Churn;
        var gain = Parse(RankingCharts.Gain(m));
        Assert.Equal(m.Gain.Count + 1, Traces(gain)[1].GetProperty("y").GetArrayLength()); // plus the origin
        Assert.Equal("Cumulative gain: churn", Title(gain));
        var lift = Parse(RankingCharts.Lift(m));
        Assert.Equal(m.Gain.Select(g => g.Lift), Traces(lift)[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        var rel = Parse(RankingCharts.Reliability(m));
        Assert.Equal("perfectly calibrated", Names(rel)[0]);
        Assert.Equal(m.Reliability.Select(b => b.ObservedRate), Traces(rel)[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("Reliability (calibration)", Title(rel));
    }

    [Fact]
    public void Score_distribution_overlays_one_histogram_per_outcome_with_the_test_rows()
    {
        var scored = ScoredOutcomes.Of(fx.Ranking, fx.Labeled, Outcome.Churn);
        Assert.Equal(fx.Ranking.Churn.Rows, scored.Scores.Count);
        Assert.Equal(fx.Ranking.Churn.Positives, scored.Positive.Count(p => p));
        var chart = Parse(RankingCharts.ScoreDistribution(scored));
        var traces = Traces(chart);
        Assert.All(traces, t => Assert.Equal("histogram", t.GetProperty("type").GetString()));
        Assert.Equal(scored.Positive.Count(p => !p), traces[0].GetProperty("x").GetArrayLength());
        Assert.Equal(scored.Positive.Count(p => p), traces[1].GetProperty("x").GetArrayLength());
        Assert.Equal("overlay", chart.GetProperty("layout").GetProperty("barmode").GetString());
        Assert.Throws<OptionsValidationException>(() => ScoredOutcomes.Of(fx.Ranking, fx.Labeled, Outcome.Flat));
    }

    [Fact]
    public void Ndcg_chart_has_a_bar_for_the_model_the_oracle_and_every_baseline()
    {
        var m = fx.Ranking.Upsell;
        var chart = Parse(RankingCharts.NdcgVsBaselines(m, fx.Ranking.K));
        var bars = Traces(chart).Single();
        Assert.Equal("bar", bars.GetProperty("type").GetString());
        var keys = bars.GetProperty("x").EnumerateArray().Select(v => v.GetString()!).ToArray();
        Assert.Equal(["model", "oracle"], keys[..2]);
        Assert.Equal(2 + m.BaselineNdcgAtK.Count, keys.Length);
        Assert.Contains("baseline: current spend", keys);
        Assert.Equal(m.NdcgAtK, bars.GetProperty("y")[0].GetDouble());
        Assert.Equal("NDCG@10 in rep books: upsell", Title(chart));
    }
}
