using System.Text.Json;
using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Data;
using Workbench.Domain;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Ranking;

/// <summary>Training at scale (#22): the validation-row cap (<see cref="RankingOptions.MaxValidationRows"/>): early stopping and
/// the calibrator read a seeded sample of the validation rows; the test rows are never sampled.</summary>
public class ValidationSampleTests
{
    static readonly CrmDataset Sample = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;

    // 3 months x 40 products x 100 accounts, in snapshot order (month, then account, then product).
    static readonly Snapshot[] Snapshots = (from m in Enumerable.Range(10, 3) from a in Enumerable.Range(0, 100) from p in Enumerable.Range(0, 40)
                                            select new Snapshot(a * 40 + p, a, p, m)).ToArray();
    static readonly int[] All = Enumerable.Range(0, Snapshots.Length).ToArray();

    [Fact]
    public void Validation_rows_under_the_cap_or_without_one_are_all_kept()
    {
        Assert.Same(All, AccountPrioritizer.ValidationSample(All, Snapshots, 0, 42));
        Assert.Same(All, AccountPrioritizer.ValidationSample(All, Snapshots, All.Length, 42));
        Assert.Equal(100_000, new RankingOptions().MaxValidationRows);
    }

    [Fact]
    public void Validation_rows_over_the_cap_are_a_seeded_uniform_sample_of_exactly_the_cap_in_row_order()
    {
        var a = AccountPrioritizer.ValidationSample(All, Snapshots, 3_000, 42);
        Assert.Equal(3_000, a.Length);
        Assert.Equal(a.Order(), a);
        Assert.Equal(a.Length, a.Distinct().Count());
        Assert.Equal(a, AccountPrioritizer.ValidationSample(All, Snapshots, 3_000, 42));
        Assert.NotEqual(a, AccountPrioritizer.ValidationSample(All, Snapshots, 3_000, 43));
        // Uniform: each month holds about a third of the sample, each half of the accounts about half.
        Assert.All(Enumerable.Range(10, 3), m => Assert.InRange(a.Count(r => Snapshots[r].AsOfMonth == m), 850, 1_150));
        Assert.InRange(a.Count(r => Snapshots[r].Account < 50), 1_300, 1_700);
    }

    [Fact]
    public void The_sample_depends_on_the_snapshots_alone_so_a_table_holding_more_rows_than_the_sample_gives_the_same_sample()
    {
        var sample = AccountPrioritizer.ValidationSample(All, Snapshots, 3_000, 42).Select(r => Snapshots[r]).ToHashSet();
        // A table that holds the sample plus every snapshot of the last month (as BuildFeatures' table does), in snapshot order.
        var kept = Snapshots.Where(s => sample.Contains(s) || s.AsOfMonth == 12).ToArray();
        Assert.True(kept.Length > 3_000);
        var again = AccountPrioritizer.ValidationSample(Enumerable.Range(0, kept.Length).ToArray(), kept, 3_000, 42);
        Assert.Equal(sample.OrderBy(s => s.AsOfMonth).ThenBy(s => s.Account).ThenBy(s => s.Product), again.Select(r => kept[r]));
    }

    [Fact]
    public void Selected_rows_with_a_validation_cap_give_the_same_model_and_metrics_as_every_row_and_the_same_test_rows()
    {
        var options = TrainingRowSelectionTests.FastOptions(r => r with { MaxTrainingRows = 3_000, MaxValidationRows = 1_000 });
        var all = LabeledFeatures.Build(Sample, options);
        var split = AccountPrioritizer.SplitOf(all, options.Ranking);
        int validationRows = all.Features.Snapshots.Count(s => split.ValidationMonths.Contains(s.AsOfMonth));
        Assert.True(validationRows > 1_000, $"{validationRows} validation rows: the cap must bite");
        var selected = AccountPrioritizer.BuildFeatures(Sample, options);

        var (m1, r1) = TrainingRowSelectionTests.FitAndEvaluate(all, options, Sample);
        var (m2, r2) = TrainingRowSelectionTests.FitAndEvaluate(selected, options, Sample);
        Assert.Equal(r1.Churn.Auc, r2.Churn.Auc);
        Assert.Equal(r1.Upsell.Auc, r2.Upsell.Auc);
        Assert.Equal(m1.Churn.Calibrator.Thresholds, m2.Churn.Calibrator.Thresholds);
        Assert.Equal(r1.Products.Select(p => p.PChurn), r2.Products.Select(p => p.PChurn));

        // The cap changes the calibrator (fewer validation rows), never the test rows the metrics are computed on.
        var uncapped = options with { Ranking = options.Ranking with { MaxValidationRows = 0 } };
        var m3 = AccountPrioritizer.Fit(all, uncapped);
        var r3 = PrioritizerEvaluation.Evaluate(m3, all, Sample);
        Assert.Equal(r3.Churn.Rows, r1.Churn.Rows);
        Assert.Equal(r3.Upsell.Positives, r1.Upsell.Positives);
        Assert.NotEmpty(m3.Churn.Calibrator.Thresholds);
        Assert.NotEqual(m3.Churn.Calibrator.Thresholds, m1.Churn.Calibrator.Thresholds);
    }

    [Fact]
    public void A_negative_cap_is_an_options_error_and_the_spec_records_the_cap_only_when_it_is_not_the_default()
    {
        var options = PipelineOptions.Default with { Ranking = PipelineOptions.Default.Ranking with { MaxValidationRows = -1 } };
        Assert.Contains("Ranking.MaxValidationRows must be >= 0", Assert.Throws<OptionsValidationException>(options.Validate).Message);

        var plain = ExperimentSpec.Parse(TrainScheduleTests.Spec("\"trees\": 400"), TestPaths.RepoRoot);
        var explicitDefault = ExperimentSpec.Parse(TrainScheduleTests.Spec("\"max_validation_rows\": 100000"), TestPaths.RepoRoot);
        var capped = ExperimentSpec.Parse(TrainScheduleTests.Spec("\"max_validation_rows\": 50000"), TestPaths.RepoRoot);
        Assert.Equal(plain.Hash(), explicitDefault.Hash());
        Assert.Equal(50_000, capped.Ranking.MaxValidationRows);
        using (var doc = JsonDocument.Parse(plain.ToJson()))
            Assert.False(doc.RootElement.GetProperty("ranking").TryGetProperty("max_validation_rows", out _));
        Assert.Equal(capped.Hash(), ExperimentSpec.Parse(capped.ToJson(), TestPaths.RepoRoot).Hash());
        var message = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(TrainScheduleTests.Spec("\"max_validation_rows\": -5"), TestPaths.RepoRoot, "s.json")).Message;
        Assert.Contains("$.ranking.max_validation_rows", message);
    }
}
