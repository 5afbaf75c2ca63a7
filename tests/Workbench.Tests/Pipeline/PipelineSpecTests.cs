using System.Text.Json;
using Workbench.Analytics.Pipeline;
using Workbench.Cli.Commands;
using Workbench.Experiments.Opportunities;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;
using Workbench.Tests.Experiments;
using Xunit.Abstractions;

namespace Workbench.Tests.Pipeline;

/// <summary>The <c>pipeline</c> spec section: a run fits the opportunity models, records pipeline.* metrics and keeps the
/// model in its model folder; promotion carries it; <c>workbench pipeline --model NAME</c> scores with it. The run
/// (<see cref="SectionsRunFixture"/>) is shared with the impact and territory section tests.</summary>
[Collection(SectionsRunCollection.Name)]
public class PipelineSpecTests(ITestOutputHelper output, SectionsRunFixture run)
{
    static readonly string Sample = PipelineCliFixture.Sample;

    static string Spec(string pipeline, string floors = "") =>
        "{\n  \"name\": \"deals\",\n  \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(Sample).ToJsonString() + " },\n" +
        "  \"ranking\": { \"trees\": 20, \"early_stopping_rounds\": 5 },\n  \"segmentation\": { \"k\": 3 },\n" +
        "  \"pipeline\": " + pipeline + (floors.Length > 0 ? ",\n  \"promotion_floors\": " + floors : "") + "\n}\n";

    [Fact]
    public async Task A_promoted_run_scores_by_name_exactly_as_the_model_fitted_in_memory()
    {
        var spec = run.Spec;
        Assert.Equal(42, spec.Opportunities!.Seed);
        var root = TestPaths.NewTempDir("pipeline-spec");
        var store = run.CopyToNewStore(Path.Combine(root, "store")); // promotion writes to the store; the shared one stays as the run left it
        var record = run.Record;
        Assert.Equal(RunStatus.Succeeded, record.Status);
        var m = record.Metrics!;
        foreach (var key in new[] { "win_auc", "oracle_win_auc", "rep_gap_correlation", "forecast_wape", "declared_forecast_wape" })
            Assert.True(m.ContainsKey("pipeline." + key), "missing pipeline." + key);
        var dir = store.Layout.RunDirectory(record.Id);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "pipeline", "pipeline-metrics.json"))))
            Assert.Equal(doc.RootElement.GetProperty("win_auc").GetDouble(), m["pipeline.win_auc"], 9);
        foreach (var a in new[] { "model/opportunity-model.zip", "pipeline/pipeline-metrics.json", "pipeline/opportunities.csv", "pipeline/report/index.html" })
            Assert.Contains(a, record.Artifacts!);
        Assert.All(record.Artifacts!, a => Assert.True(File.Exists(Path.Combine(dir, a)), a));
        Assert.Equal(12, record.Spec!.Value.GetProperty("pipeline").GetProperty("test_months").GetInt32());

        var promotion = Promoter.Promote(store.Layout, record.Id, "deals");
        Assert.Contains(promotion.Current.FloorsChecked, f => f.Metric == "pipeline.win_auc");
        Assert.True(File.Exists(Path.Combine(store.Layout.PromotedModelDirectory("deals"), OpportunityPipelineJob.ModelFileName)));

        var byName = Path.Combine(root, "by-name");
        int code = await CliRunner.InvokeAsync(CliApp.BuildRoot(), ["pipeline", "--model", "deals", "--store", store.Layout.Root, "--data", Sample, "--out", byName]);
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(byName, "pipeline-metrics.json"))))
        {
            Assert.Equal("loaded", doc.RootElement.GetProperty("model").GetString());
            Assert.Equal(m["pipeline.win_auc"], doc.RootElement.GetProperty("win_auc").GetDouble(), 9);
        }

        // The same options fitted here, in memory, review the same open deals into the same file.
        var data = PipelineStages.LoadDataset(Sample).Dataset;
        var inMemory = OpportunityEstimator.Fit(data, spec.Opportunities);
        var calls = PipelineReview.Review(inMemory, new PipelineIndex(data));
        var expected = OpportunityPipelineJob.OpportunitiesCsv(calls);
        var actual = File.ReadAllText(Path.Combine(byName, "opportunities.csv"));
        output.WriteLine($"{calls.Count} open deals; first line: {actual.Split('\n')[1]}");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task An_unknown_model_name_exits_2_and_names_the_store()
    {
        var root = TestPaths.NewTempDir("pipeline-noname");
        var target = Path.Combine(root, "out");
        using var capture = ConsoleCapture.Start();
        var code = await CliRunner.InvokeAsync(CliApp.BuildRoot(), ["pipeline", "--model", "nobody", "--store", Path.Combine(root, "store"), "--data", Sample, "--out", target]);
        Assert.Equal(2, code);
        Assert.Contains("No promoted model named 'nobody'", capture.Err);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void Bad_pipeline_options_are_reported_at_their_keys_with_did_you_mean()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(Spec("{ \"test_months\": 0, \"stage_weight\": [0.1] }"), TestPaths.RepoRoot));
        output.WriteLine(ex.Message);
        Assert.Contains("$.pipeline.test_months", ex.Message);
        Assert.Contains("stage_weights", ex.Message); // did you mean
    }

    [Fact]
    public void A_spec_without_the_section_keeps_its_hash_and_a_filled_section_round_trips()
    {
        var spec = ExperimentSpec.Parse(Spec("{ \"stage_weights\": [0.1, 0.2, 0.6, 0.9], \"seed\": 7 }"), TestPaths.RepoRoot);
        Assert.Equal([0.1, 0.2, 0.6, 0.9], spec.Opportunities!.StageWeights);
        Assert.Equal(7, spec.Opportunities.Seed);
        var again = ExperimentSpec.Parse(spec.ToJson(), TestPaths.RepoRoot);
        Assert.Equal(spec.Hash(), again.Hash());
        var without = ExperimentSpec.Parse("{\"name\":\"x\",\"data\":{\"path\":" + System.Text.Json.Nodes.JsonValue.Create(Sample).ToJsonString() + "}}", TestPaths.RepoRoot);
        Assert.Null(without.Opportunities);
        Assert.False(without.ToJsonObject().ContainsKey("pipeline"));
    }
}

/// <summary><c>workbench pipeline</c> on deals alone: opportunities, stage history and activities, no truth/ and no account
/// tables. The oracle and the planted-bias correlation are absent; everything else is there.</summary>
public class PipelineWithoutTruthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Deals_without_truth_give_metrics_without_oracle_fields_and_every_open_deal()
    {
        var data = TestPaths.NewTempDir("deals-only");
        foreach (var table in new[] { "opportunities.csv", "stage_history.csv", "opportunity_activities.csv", "reps.csv" })
            File.Copy(Path.Combine(PipelineCliFixture.Sample, table), Path.Combine(data, table));
        var target = Path.Combine(TestPaths.NewTempDir("deals-only-out"), "out");
        int code = await CliRunner.InvokeAsync(CliApp.BuildRoot(), ["pipeline", "--data", data, "--out", target]);
        Assert.Equal(0, code);
        var text = File.ReadAllText(Path.Combine(target, "pipeline-metrics.json"));
        output.WriteLine(text[..Math.Min(600, text.Length)]);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        foreach (var key in new[] { "win_auc", "forecast_wape", "declared_forecast_wape" })
            Assert.Equal(JsonValueKind.Number, root.GetProperty(key).ValueKind);
        Assert.False(root.TryGetProperty("oracle_win_auc", out _));
        Assert.False(root.TryGetProperty("rep_gap_correlation", out _));
        Assert.InRange(root.GetProperty("win_auc").GetDouble(), 0.7, 1.0);
        var lines = File.ReadAllLines(Path.Combine(target, "opportunities.csv"));
        var open = File.ReadLines(Path.Combine(data, "opportunities.csv")).Count(l => l.EndsWith(",open", StringComparison.Ordinal));
        Assert.Equal(open, lines.Length - 1);
        Assert.True(File.Exists(Path.Combine(target, "report", "index.html")));
    }
}
