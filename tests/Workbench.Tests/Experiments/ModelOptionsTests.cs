using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Data;
using Workbench.Experiments.Artifacts;
using Workbench.Experiments.Pipeline;

namespace Workbench.Tests.Experiments;

/// <summary>A model file must carry every option that shapes its columns: a model trained on log-scaled spend and
/// scored on raw spend would match by feature names and be silently wrong.</summary>
public class ModelOptionsTests
{
    [Fact]
    public void The_model_file_records_its_feature_options_and_explaining_rebuilds_with_them()
    {
        var data = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;
        var features = new FeatureOptions { SpendScale = SpendScale.Log1p, WinsorizeQuantile = 0.01 };
        var dir = TestPaths.NewTempDir("model-options");
        var fast = PipelineOptions.Default.Ranking.Churn with { NumberOfTrees = 40 };
        var options = PipelineOptions.Default with { Features = features, Ranking = PipelineOptions.Default.Ranking with { Churn = fast, Upsell = fast } };
        var trained = PipelineStages.Train(data, options, dir);

        var loaded = RankingArtifacts.ReadModel(dir);
        Assert.Equal(features, loaded.Options.Features);
        Assert.Equal(40, loaded.Options.Ranking.Churn.NumberOfTrees);

        // Explaining the folder rebuilds the same (log-scaled) columns the model was trained on.
        var explained = PipelineStages.Explain(dir, data, PipelineOptions.Default.Explanation, TestPaths.NewTempDir("model-options-explain"));
        Assert.Equal(features, explained.Features.FeatureOptions);
        Assert.Equal(trained.Features.SnapshotCount, explained.Features.SnapshotCount);
    }

    [Fact]
    public void Pipeline_options_round_trip_through_their_json_form()
    {
        var options = PipelineOptions.Default with
        {
            Seed = 7,
            LabelSource = Workbench.Analytics.Labeling.LabelSource.Spend,
            Features = new FeatureOptions { SpendScale = SpendScale.Log1p, WinsorizeQuantile = 0.02 },
            Ranking = PipelineOptions.Default.Ranking with { TestMonths = 2, Churn = new PropensityOptions { Algorithm = PropensityAlgorithm.FastTree } },
        };
        var json = options.ToJson();
        Assert.Contains("\"spend_scale\": \"Log1p\"", json);
        Assert.Equal(json, PipelineOptions.FromJson(json).ToJson());
    }

    [Fact]
    public void Options_left_out_of_the_json_keep_their_defaults()
    {
        var options = PipelineOptions.FromJson("{\"seed\": 7, \"ranking\": {\"test_months\": 2}}");
        Assert.Equal(7, options.Seed);
        Assert.Equal(2, options.Ranking.TestMonths);
        Assert.Equal(PipelineOptions.Default.Ranking.K, options.Ranking.K);
        Assert.Equal(PipelineOptions.Default.Ranking.Churn.NumberOfTrees, options.Ranking.Churn.NumberOfTrees);
        Assert.Equal(PipelineOptions.Default.Snapshots.HorizonMonths, options.Snapshots.HorizonMonths);
        Assert.Equal(PipelineOptions.Default.Explanation.TopReasonsFor, options.Explanation.TopReasonsFor);
    }

    [Fact]
    public void A_null_section_is_refused()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => PipelineOptions.FromJson("{\"ranking\": null}", "x.json"));
        Assert.Contains("x.json", ex.Message);
    }

    [Fact]
    public void Unknown_option_keys_are_refused_with_their_path()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => PipelineOptions.FromJson("{\"ranking\": {\"test_monts\": 2}}", "x.json"));
        Assert.Contains("x.json", ex.Message);
        Assert.Contains("test_monts", ex.Message);
    }

    [Fact]
    public void Library_spec_and_cli_defaults_are_the_same_values()
    {
        var spec = Workbench.Experiments.Specs.ExperimentSpec.Parse("{\"name\": \"x\", \"data\": {\"path\": \".\"}}", ".", checkData: false);
        Assert.Equal(PipelineOptions.Default.ToJson(), spec.Options.ToJson());
        Assert.Equal(3, PipelineOptions.Default.Ranking.TestMonths);
    }
}
