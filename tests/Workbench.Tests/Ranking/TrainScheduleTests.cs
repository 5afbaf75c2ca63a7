using System.Text.Json;
using Workbench.Analytics;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Ranking;

/// <summary>The training schedule (<see cref="RankingOptions.TrainStepMonths"/>): a sparser set of training as-of months,
/// counted back from the latest, that leaves validation and test months (and so the evaluation) unchanged.</summary>
public class TrainScheduleTests
{
    static readonly int[] Months = Enumerable.Range(6, 28).ToArray(); // as-of months 6..33, as on 36 months of data
    static readonly SnapshotOptions Snap = new();

    [Fact]
    public void A_quarterly_step_keeps_every_third_training_month_back_from_the_latest_and_leaves_validation_and_test_alone()
    {
        var monthly = TimeSplit.Make(Months, Snap, testMonths: 3, validationMonths: 2);
        var quarterly = TimeSplit.Make(Months, Snap, testMonths: 3, validationMonths: 2, trainStepMonths: 3);
        Assert.Equal(monthly.TestMonths, quarterly.TestMonths);
        Assert.Equal(monthly.ValidationMonths, quarterly.ValidationMonths);
        Assert.Equal(monthly.TrainMonths[^1], quarterly.TrainMonths[^1]);
        Assert.All(quarterly.TrainMonths, m => Assert.Equal(0, (monthly.TrainMonths[^1] - m) % 3));
        Assert.Equal(monthly.TrainMonths.Count(m => (monthly.TrainMonths[^1] - m) % 3 == 0), quarterly.TrainMonths.Count);
        Assert.True(quarterly.TrainMonths.Count < monthly.TrainMonths.Count);
    }

    [Fact]
    public void A_step_of_one_is_todays_monthly_split()
    {
        var before = TimeSplit.Make(Months, Snap, 3, 2);
        var step1 = TimeSplit.Make(Months, Snap, 3, 2, trainStepMonths: 1);
        Assert.Equal(before.TrainMonths, step1.TrainMonths);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    public void A_step_outside_one_to_twenty_four_is_an_options_error(int step)
    {
        Assert.Throws<OptionsValidationException>(() => TimeSplit.Make(Months, Snap, 3, 2, step));
        var options = PipelineOptions.Default with { Ranking = PipelineOptions.Default.Ranking with { TrainStepMonths = step } };
        Assert.Contains("Ranking.TrainStepMonths must be 1..24", Assert.Throws<OptionsValidationException>(options.Validate).Message);
    }

    /// <summary>A spec over the committed sample with the given ranking keys (shared with TrainingScaleTests).</summary>
    internal static string Spec(string ranking) =>
        "{\n  \"name\": \"t\",\n  \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).ToJsonString() +
        " },\n  \"ranking\": { " + ranking + " }\n}\n";

    [Fact]
    public void The_spec_reads_train_step_months_records_it_when_it_thins_and_keeps_monthly_hashes_unchanged()
    {
        var monthly = ExperimentSpec.Parse(Spec("\"trees\": 400"), TestPaths.RepoRoot);
        var explicitMonthly = ExperimentSpec.Parse(Spec("\"train_step_months\": 1"), TestPaths.RepoRoot);
        var quarterly = ExperimentSpec.Parse(Spec("\"train_step_months\": 3"), TestPaths.RepoRoot);
        Assert.Equal(1, monthly.Ranking.TrainStepMonths);
        Assert.Equal(3, quarterly.Ranking.TrainStepMonths);
        Assert.Equal(monthly.Hash(), explicitMonthly.Hash());
        Assert.NotEqual(monthly.Hash(), quarterly.Hash());
        using (var doc = JsonDocument.Parse(monthly.ToJson()))
            Assert.False(doc.RootElement.GetProperty("ranking").TryGetProperty("train_step_months", out _));
        using (var doc = JsonDocument.Parse(quarterly.ToJson()))
            Assert.Equal(3, doc.RootElement.GetProperty("ranking").GetProperty("train_step_months").GetInt32());
        Assert.Equal(quarterly.Hash(), ExperimentSpec.Parse(quarterly.ToJson(), TestPaths.RepoRoot).Hash());
    }

    [Fact]
    public void An_out_of_range_train_step_is_reported_at_its_key()
    {
        var message = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(Spec("\"train_step_months\": 0"), TestPaths.RepoRoot, "s.json")).Message;
        Assert.Contains("$.ranking.train_step_months", message);
    }
}
