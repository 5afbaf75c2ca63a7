using System.Text.Json.Nodes;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Data;
using Workbench.Experiments.Artifacts;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Experiments;

/// <summary>A model folder must carry every option that shapes its columns: a model trained on log-scaled spend and
/// scored on raw spend would match by feature names and be silently wrong.</summary>
public class TrainingSpecTests
{
    [Fact]
    public void Training_records_its_feature_options_and_scoring_and_explaining_rebuild_with_them()
    {
        var data = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;
        var features = new FeatureOptions { SpendScale = SpendScale.Log1p, WinsorizeQuantile = 0.01 };
        var dir = TestPaths.NewTempDir("training-spec");
        var ranking = new RankingOptions { TestMonths = 3 };
        var trained = PipelineStages.Train(data, new SnapshotOptions(), null, features, ranking, dir);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, TrainingSpec.File)))!;
        Assert.Equal("log1p", json["features"]!["spend_scale"]!.GetValue<string>());
        Assert.Equal(0.01, json["features"]!["winsorize_quantile"]!.GetValue<double>());
        Assert.Equal(features, TrainingSpec.Read(dir).FeatureOptions);
        Assert.Equal(features, BatchScoring.LoadModel(dir, "log-spend").Features);

        // Explaining the folder rebuilds the same (log-scaled) columns the model was trained on.
        var explained = PipelineStages.Explain(dir, data, new Workbench.Analytics.Explanation.NarrativeOptions(), TestPaths.NewTempDir("training-spec-explain"));
        Assert.Equal(features, explained.Features.FeatureOptions);
        Assert.Equal(trained.Features.Features.Snapshots.Count, explained.Features.Features.Snapshots.Count);
    }

    [Fact]
    public void A_training_json_without_feature_options_means_the_defaults()
    {
        var dir = TestPaths.NewTempDir("training-spec-old");
        TrainingSpec.Write(dir, new SnapshotOptions(), new LabelOptions(), new RankingOptions(), new FeatureOptions { SpendScale = SpendScale.Log1p });
        var path = Path.Combine(dir, TrainingSpec.File);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json.Remove("features");
        File.WriteAllText(path, json.ToJsonString());
        Assert.Null(TrainingSpec.Read(dir).Features);
        Assert.Equal(new FeatureOptions(), TrainingSpec.Read(dir).FeatureOptions);
    }
}
