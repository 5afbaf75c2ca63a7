using Workbench.Analytics.Pipeline;
using Workbench.Domain;
using Xunit.Abstractions;

namespace Workbench.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class OpportunityModelTests(PipelineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public void Win_auc_is_within_three_points_of_the_oracle_from_planted_win_probabilities_and_calibrated()
    {
        var e = fx.Evaluation;
        output.WriteLine(e.ToText());
        foreach (var b in e.Reliability) output.WriteLine($"reliability: predicted {b.MeanPredicted:0.000} observed {b.ObservedRate:0.000} n={b.Count}");
        Assert.NotNull(e.OracleWinAuc);
        Assert.True(Math.Abs(e.WinAuc - e.OracleWinAuc!.Value) <= 0.03, $"win AUC {e.WinAuc:0.000} vs oracle {e.OracleWinAuc:0.000}");
        // Reliability: the count-weighted gap between predicted and observed rates over the bins stays small.
        double ece = e.Reliability.Sum(b => b.Count * Math.Abs(b.MeanPredicted - b.ObservedRate)) / e.Reliability.Sum(b => b.Count);
        output.WriteLine($"expected calibration error {ece:0.000}");
        Assert.True(ece < 0.05, $"expected calibration error {ece:0.000}");
    }

    [Fact]
    public void Per_rep_gap_estimates_correlate_with_the_planted_rep_biases()
    {
        var e = fx.Evaluation;
        foreach (var g in e.RepGaps) output.WriteLine($"{g.RepId}: gap {g.MeanGap:+0.00;-0.00} [{g.Low:0.00}, {g.High:0.00}] over {g.Deals} deals, planted {g.PlantedBias:+0.00;-0.00}");
        output.WriteLine($"Pearson r = {e.RepGapCorrelation:0.000}");
        Assert.Equal(PipelineFixture.Generator.Reps, e.RepGaps.Count);
        Assert.All(e.RepGaps, g => Assert.True(g.Low <= g.MeanGap && g.MeanGap <= g.High));
        Assert.True(e.RepGapCorrelation >= 0.8, $"r = {e.RepGapCorrelation:0.000}");
    }

    [Fact]
    public void The_model_forecast_per_rep_and_quarter_beats_the_declared_stage_forecast()
    {
        var e = fx.Evaluation;
        foreach (var q in e.QuarterErrors) output.WriteLine($"{q.Quarter:yyyy-MM-dd}: model WAPE {q.ModelWape:0.000}, declared {q.DeclaredWape:0.000}, actual {q.Actual:N0}");
        output.WriteLine($"overall: model {e.ForecastWape:0.000}, declared {e.DeclaredForecastWape:0.000}");
        Assert.True(e.QuarterErrors.Count >= 3);
        Assert.True(e.ForecastWape < e.DeclaredForecastWape, $"model {e.ForecastWape:0.000} vs declared {e.DeclaredForecastWape:0.000}");
    }

    [Fact]
    public void The_supported_stage_trained_on_true_stages_is_right_more_often_than_the_reps_recorded_stage()
    {
        var e = fx.Evaluation;
        Assert.Equal(StageLabelSource.Truth, fx.Model.StageLabels);
        output.WriteLine($"supported {e.StageAccuracy:0.000}, recorded {e.RecordedStageAccuracy:0.000}");
        Assert.True(e.StageAccuracy > e.RecordedStageAccuracy + 0.1);
    }

    [Fact]
    public void A_saved_model_loads_back_and_scores_identically()
    {
        using var ms = new MemoryStream();
        fx.Model.Save(ms);
        ms.Position = 0;
        var loaded = OpportunityModel.Load(ms, "test stream");
        var rows = Enumerable.Range(0, 200).ToList();
        var snaps = rows.Select(r => fx.Frame.Table.Snapshots[r]).ToList();
        var table = OpportunitySnapshots.Features(fx.Frame.Index, snaps);
        var a = fx.Model.Score(table, fx.Frame.Index); var b = loaded.Score(table, fx.Frame.Index);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].WinProbability, b[i].WinProbability, 12);
            Assert.Equal(a[i].StageProbabilities, b[i].StageProbabilities);
        }
        Assert.Equal(fx.Model.SplitDate, loaded.SplitDate);
        using var again = new MemoryStream();
        loaded.Save(again);
        Assert.Equal(ms.ToArray(), again.ToArray());
    }

    [Fact]
    public void Open_deals_get_reasons_for_and_against_whose_contributions_add_up_to_the_margin()
    {
        var calls = PipelineReview.Review(fx.Model, fx.Frame.Index);
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.StartsWith("recorded as ", c.StageReason));
        Assert.Contains(calls, c => c.ReasonsFor.Count > 0 && c.ReasonsAgainst.Count > 0);
        Assert.Contains(calls, c => c.Gap != 0);
        // Exact TreeSHAP: contributions plus the expected value give the margin.
        var snaps = OpportunitySnapshots.OpenOn(fx.Frame.Index, fx.Frame.Index.DataEnd);
        var table = OpportunitySnapshots.Features(fx.Frame.Index, snaps);
        var shap = Workbench.Analytics.Explanation.TreeShap.Explain(fx.Model.Ensemble, [table.Row(0).ToArray()]);
        var score = fx.Model.Score(table, fx.Frame.Index)[0];
        Assert.Equal(score.WinMargin, shap.ExpectedValue + shap.Row(0).ToArray().Sum(), 4);
    }

    [Fact]
    public void Invalid_options_are_all_listed()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new OpportunityOptions { TestMonths = 0, StageWeights = [0.1, 2], StuckFactor = 0.5 }.Validate());
        Assert.Contains("TestMonths", ex.Message);
        Assert.Contains("StageWeights", ex.Message);
        Assert.Contains("StuckFactor", ex.Message);
    }

    [Theory]
    [InlineData("CFO", 3)]
    [InlineData("VP Sales", 3)]
    [InlineData("Vice President, Finance", 3)]
    [InlineData("Chief Revenue Officer", 3)]
    public void Executive_titles_parse_as_the_top_seniority(string title, int level) => Assert.Equal(level, OpportunityFeatures.Seniority(title));

    [Theory]
    [InlineData("Head of Data", 2)]
    [InlineData("Operations Director", 2)]
    [InlineData("IT Manager", 1)]
    [InlineData("Team Lead", 1)]
    [InlineData("Analyst", 0)]
    [InlineData("", 0)]
    public void Other_titles_parse_by_their_rank_word(string title, int level) => Assert.Equal(level, OpportunityFeatures.Seniority(title));
}
