using System.Text.Json;
using Microsoft.ML.Trainers.FastTree;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Ranking;

/// <summary>Training at scale (#22): LightGBM's histogram bins (<see cref="PropensityOptions.MaxBinCount"/>) and bagging
/// (<see cref="PropensityOptions.SubsampleFraction"/>, <see cref="PropensityOptions.SubsampleFrequency"/>) reach the trainer,
/// are read from the spec's ranking section with line-located errors, and are recorded only when they are not LightGBM's defaults.</summary>
public class TrainingOptionsTests
{
    static TrainingSet Rows(int n, int seed)
    {
        var rng = new Random(seed);
        string[] names = ["a", "b", "c", "d"];
        var values = new float[n * names.Length];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < names.Length; j++) values[i * names.Length + j] = (float)rng.NextDouble();
            double z = 3 * values[i * names.Length] - 2 * values[i * names.Length + 1] * values[i * names.Length + 2] - 0.5;
            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z));
        }
        return new TrainingSet(values, names, labels);
    }

    static readonly TrainingSet Train = Rows(4000, 1), Valid = Rows(2000, 2), Test = Rows(2000, 3);
    static readonly PropensityOptions Small = new() { NumberOfTrees = 40, LearningRate = 0.1, MinExamplesPerLeaf = 20, EarlyStoppingRounds = 0 };

    [Fact]
    public void Default_bins_and_no_bagging_are_the_trainer_defaults_and_other_values_change_the_trees_repeatably()
    {
        var plain = PropensityTrainer.Train("churn", Train, Valid, Small);
        var explicitDefaults = PropensityTrainer.Train("churn", Train, Valid, Small with { MaxBinCount = 255, SubsampleFraction = 1, SubsampleFrequency = 0 });
        // (Saved bytes differ by the time of saving in the zip entries; the trees and probabilities must not.)
        var p = plain.Score(Test).Probability;
        Assert.Equal(p, explicitDefaults.Score(Test).Probability);
        Assert.Equal(plain.TreeCount, explicitDefaults.TreeCount);
        var fewBins = PropensityTrainer.Train("churn", Train, Valid, Small with { MaxBinCount = 7 });
        var bagged = PropensityTrainer.Train("churn", Train, Valid, Small with { SubsampleFraction = 0.5, SubsampleFrequency = 1 });
        Assert.NotEqual(p, fewBins.Score(Test).Probability);
        Assert.NotEqual(p, bagged.Score(Test).Probability);
        // Few bins: every split threshold of a feature is one of at most 7 bin edges (6 thresholds), where 255 bins use more.
        int Thresholds(PropensityModel m) => ((TreeEnsembleModelParametersBasedOnRegressionTree)m.TreeModel!).TrainedTreeEnsemble.Trees
            .SelectMany(t => t.NumericalSplitFeatureIndexes.Zip(t.NumericalSplitThresholds)).Where(s => s.First == 0).Select(s => s.Second).Distinct().Count();
        Assert.InRange(Thresholds(fewBins), 1, 6);
        Assert.True(Thresholds(plain) > 6, $"{Thresholds(plain)} thresholds with 255 bins");
        // Bagging draws from the model's seed: the same options give the same model.
        var baggedAgain = PropensityTrainer.Train("churn", Train, Valid, Small with { SubsampleFraction = 0.5, SubsampleFrequency = 1 });
        Assert.Equal(bagged.Score(Test).Probability, baggedAgain.Score(Test).Probability);
    }

    [Fact]
    public void Bins_and_bagging_out_of_range_or_bagging_half_set_are_options_errors()
    {
        Assert.Contains("MaxBinCount must be 2..65535", Assert.Throws<OptionsValidationException>(() => (Small with { MaxBinCount = 1 }).Validate()).Message);
        Assert.Contains("SubsampleFraction must be in (0, 1]", Assert.Throws<OptionsValidationException>(() => (Small with { SubsampleFraction = 0, SubsampleFrequency = 1 }).Validate()).Message);
        Assert.Contains("go together", Assert.Throws<OptionsValidationException>(() => (Small with { SubsampleFraction = 0.5 }).Validate()).Message);
        Assert.Contains("go together", Assert.Throws<OptionsValidationException>(() => (Small with { SubsampleFrequency = 1 }).Validate()).Message);
    }

    [Fact]
    public void The_spec_reads_bins_and_bagging_with_located_errors_and_records_them_only_when_they_are_not_the_defaults()
    {
        var plain = ExperimentSpec.Parse(TrainScheduleTests.Spec("\"trees\": 400"), TestPaths.RepoRoot);
        var explicitDefaults = ExperimentSpec.Parse(TrainScheduleTests.Spec("\"max_bins\": 255, \"subsample\": 1, \"subsample_frequency\": 0"), TestPaths.RepoRoot);
        var scaled = ExperimentSpec.Parse(TrainScheduleTests.Spec("\"max_bins\": 63, \"subsample\": 0.5, \"subsample_frequency\": 1"), TestPaths.RepoRoot);
        Assert.Equal(plain.Hash(), explicitDefaults.Hash());
        foreach (var model in new[] { scaled.Ranking.Churn, scaled.Ranking.Upsell })
        {
            Assert.Equal(63, model.MaxBinCount);
            Assert.Equal(0.5, model.SubsampleFraction);
            Assert.Equal(1, model.SubsampleFrequency);
        }
        using (var doc = JsonDocument.Parse(plain.ToJson()))
            foreach (var key in new[] { "max_bins", "subsample", "subsample_frequency" })
                Assert.False(doc.RootElement.GetProperty("ranking").TryGetProperty(key, out _), key);
        using (var doc = JsonDocument.Parse(scaled.ToJson()))
            Assert.Equal(63, doc.RootElement.GetProperty("ranking").GetProperty("max_bins").GetInt32());
        Assert.Equal(scaled.Hash(), ExperimentSpec.Parse(scaled.ToJson(), TestPaths.RepoRoot).Hash());

        // The ranking section is on line 4 of the test spec.
        var bins = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(TrainScheduleTests.Spec("\"max_bins\": 1"), TestPaths.RepoRoot, "s.json")).Message;
        Assert.Contains("s.json:4: $.ranking.max_bins", bins);
        Assert.Contains("got 1", bins);
        var half = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(TrainScheduleTests.Spec("\"subsample\": 0.5"), TestPaths.RepoRoot, "s.json")).Message;
        Assert.Contains("s.json:4: $.ranking.subsample", half);
    }
}
