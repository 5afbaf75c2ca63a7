using System.Text.Json;
using Workbench.Analytics;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Ranking;

/// <summary>Training at scale (#22): the training-row cap (<see cref="RankingOptions.MaxTrainingRows"/>) and early stopping on
/// validation AUC (<see cref="PropensityOptions.StoppingMetric"/>).</summary>
public class TrainingScaleTests
{
    static readonly int[] Rows = Enumerable.Range(0, 10_000).Select(i => i * 3 + 1).ToArray();

    [Fact]
    public void Training_rows_under_the_cap_or_without_one_are_all_kept()
    {
        Assert.Same(Rows, AccountPrioritizer.TrainingSample(Rows, 0, 42));
        Assert.Same(Rows, AccountPrioritizer.TrainingSample(Rows, 10_000, 42));
        Assert.Equal(400_000, new RankingOptions().MaxTrainingRows);
    }

    [Fact]
    public void Training_rows_over_the_cap_are_a_seeded_sample_of_exactly_the_cap_in_row_order()
    {
        var a = AccountPrioritizer.TrainingSample(Rows, 2_500, 42);
        Assert.Equal(2_500, a.Length);
        Assert.Equal(a.Order(), a);
        Assert.Equal(a.Length, a.Distinct().Count());
        Assert.Subset(Rows.ToHashSet(), a.ToHashSet());
        Assert.Equal(a, AccountPrioritizer.TrainingSample(Rows, 2_500, 42));
        Assert.NotEqual(a, AccountPrioritizer.TrainingSample(Rows, 2_500, 43));
        // Uniform: each quarter of the rows holds about a quarter of the sample.
        Assert.All(Enumerable.Range(0, 4), q => Assert.InRange(a.Count(r => r / 7_500 == q), 500, 750));
    }

    [Fact]
    public void A_negative_cap_is_an_options_error()
    {
        var options = PipelineOptions.Default with { Ranking = PipelineOptions.Default.Ranking with { MaxTrainingRows = -1 } };
        Assert.Contains("Ranking.MaxTrainingRows must be >= 0", Assert.Throws<OptionsValidationException>(options.Validate).Message);
    }

    static TrainingSet Noisy(int n, int seed)
    {
        var rng = new Random(seed);
        string[] names = ["a", "b", "c"];
        var values = new float[n * names.Length];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < names.Length; j++) values[i * names.Length + j] = (float)rng.NextDouble();
            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(2 * values[i * names.Length] - 1)));
        }
        return new TrainingSet(values, names, labels);
    }

    [Fact]
    public void Early_stopping_on_validation_auc_stops_well_before_the_tree_limit_when_nothing_more_is_learned()
    {
        // One weak, smooth signal: a few trees learn it, and the rest only fit noise.
        var options = new PropensityOptions { NumberOfTrees = 300, LearningRate = 0.3, MinExamplesPerLeaf = 20, EarlyStoppingRounds = 10, StoppingMetric = StoppingMetric.Auc };
        var model = PropensityTrainer.Train("churn", Noisy(4000, 1), Noisy(2000, 2), options);
        Assert.InRange(model.TreeCount, 1, 100);
        var full = PropensityTrainer.Train("churn", Noisy(4000, 1), Noisy(2000, 2), options with { EarlyStoppingRounds = 0 });
        Assert.Equal(300, full.TreeCount);
    }

    static string Spec(string ranking) => TrainScheduleTests.Spec(ranking);

    [Fact]
    public void The_spec_reads_the_cap_and_the_stopping_metric_and_records_them_only_when_they_differ_from_the_defaults()
    {
        var plain = ExperimentSpec.Parse(Spec("\"trees\": 400"), TestPaths.RepoRoot);
        var explicitDefaults = ExperimentSpec.Parse(Spec("\"max_training_rows\": 400000, \"early_stopping_metric\": \"log_loss\""), TestPaths.RepoRoot);
        var scaled = ExperimentSpec.Parse(Spec("\"max_training_rows\": 300000, \"early_stopping_metric\": \"auc\""), TestPaths.RepoRoot);
        Assert.Equal(plain.Hash(), explicitDefaults.Hash());
        Assert.Equal(300_000, scaled.Ranking.MaxTrainingRows);
        Assert.Equal(StoppingMetric.Auc, scaled.Ranking.Churn.StoppingMetric);
        Assert.Equal(StoppingMetric.Auc, scaled.Ranking.Upsell.StoppingMetric);
        using (var doc = JsonDocument.Parse(plain.ToJson()))
        {
            Assert.False(doc.RootElement.GetProperty("ranking").TryGetProperty("max_training_rows", out _));
            Assert.False(doc.RootElement.GetProperty("ranking").TryGetProperty("early_stopping_metric", out _));
        }
        Assert.Equal(scaled.Hash(), ExperimentSpec.Parse(scaled.ToJson(), TestPaths.RepoRoot).Hash());
        var message = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(Spec("\"max_training_rows\": -5"), TestPaths.RepoRoot, "s.json")).Message;
        Assert.Contains("$.ranking.max_training_rows", message);
    }
}
