using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Ranking;

/// <summary>Training at scale (#22): features are built only for the rows training and evaluation read
/// (<see cref="AccountPrioritizer.BuildFeatures"/>), and that must not change the model or its evaluation.</summary>
public class TrainingRowSelectionTests
{
    static readonly CrmDataset Sample = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;

    /// <summary>The default options with few trees (to keep the tests short) and the ranking caps under test.</summary>
    internal static PipelineOptions FastOptions(Func<RankingOptions, RankingOptions> caps)
    {
        var fast = PipelineOptions.Default.Ranking.Churn with { NumberOfTrees = 40 };
        return PipelineOptions.Default with { Ranking = caps(PipelineOptions.Default.Ranking with { Churn = fast, Upsell = fast }) };
    }

    internal static (PrioritizerModel Model, RankingResult Result) FitAndEvaluate(LabeledFeatures features, PipelineOptions options, CrmDataset data)
    {
        var model = AccountPrioritizer.Fit(features, options);
        return (model, PrioritizerEvaluation.Evaluate(model, features, data));
    }

    [Fact]
    public void Selected_rows_give_the_same_model_and_metrics_as_every_row_with_fewer_rows()
    {
        // A cap below the sample's training rows, so the training sample is drawn; few trees to keep the test short.
        var options = FastOptions(r => r with { MaxTrainingRows = 3_000, TrainStepMonths = 2 });
        var all = LabeledFeatures.Build(Sample, options);
        var selected = AccountPrioritizer.BuildFeatures(Sample, options);

        Assert.True(selected.Features.RowCount < all.Features.RowCount / 2, $"{selected.Features.RowCount} of {all.Features.RowCount} rows kept");
        Assert.Equal(all.Features.RowCount, selected.SnapshotCount);
        Assert.Equal(all.AsOfMonths, selected.AsOfMonths);
        Assert.Equal(all.Report.Overall, selected.Report.Overall);
        Assert.Equal(all.Report.ByMonth, selected.Report.ByMonth);
        Assert.Equal(all.AccountLabels, selected.AccountLabels);

        var (m1, r1) = FitAndEvaluate(all, options, Sample);
        var (m2, r2) = FitAndEvaluate(selected, options, Sample);
        Assert.Equal(r1.Churn.Auc, r2.Churn.Auc);
        Assert.Equal(r1.Upsell.Auc, r2.Upsell.Auc);
        Assert.Equal(r1.Churn.OracleAuc, r2.Churn.OracleAuc);
        Assert.Equal(r1.Upsell.NdcgAtK, r2.Upsell.NdcgAtK);
        Assert.Equal(m1.UpsellRatio, m2.UpsellRatio);
        Assert.Equal(m1.ChurnBackground.Values, m2.ChurnBackground.Values);
        Assert.Equal(r1.Products.Select(p => p.PChurn), r2.Products.Select(p => p.PChurn));

        // Every kept row carries the same feature values and label as in the full table.
        var index = Enumerable.Range(0, all.Features.RowCount).ToDictionary(i => all.Features.Snapshots[i]);
        for (int k = 0; k < selected.Features.RowCount; k++)
        {
            int i = index[selected.Features.Snapshots[k]];
            Assert.Equal(all.Features.Row(i).ToArray(), selected.Features.Row(k).ToArray());
            Assert.Equal(all.Labels[i], selected.Labels[k]);
        }
    }

    [Theory]
    [InlineData(3_000, 0, 2)]   // a training sample, every validation row, every second month trained on
    [InlineData(0, 500, 1)]     // every training row, a validation sample
    [InlineData(200, 200, 3)]   // both sampled, every third month
    public void The_selected_rows_are_the_evaluated_months_the_training_sample_and_the_validation_sample(int maxTraining, int maxValidation, int step)
    {
        var options = FastOptions(r => r with { MaxTrainingRows = maxTraining, MaxValidationRows = maxValidation, TrainStepMonths = step }).Resolved();
        var all = LabeledFeatures.Build(Sample, options);
        var selected = AccountPrioritizer.BuildFeatures(Sample, options);

        // What the one pass over the snapshots replaced: a filter per list, with set lookups, then the union in row order.
        var snapshots = all.Features.Snapshots;
        var split = AccountPrioritizer.SplitOf(all, options.Ranking);
        int[] In(IEnumerable<int> months) { var set = months.ToHashSet(); return Enumerable.Range(0, snapshots.Count).Where(i => set.Contains(snapshots[i].AsOfMonth)).ToArray(); }
        var expected = In(split.TestMonths.Append(split.TestMonths[0] - 1))
            .Concat(AccountPrioritizer.TrainingSample(In(split.TrainMonths), maxTraining, options.Seed))
            .Concat(AccountPrioritizer.ValidationSample(In(split.ValidationMonths), snapshots, maxValidation, options.Seed))
            .Order().ToArray();

        Assert.True(expected.Length < snapshots.Count, $"{expected.Length} of {snapshots.Count} rows: the case selects nothing");
        Assert.Equal(expected.Select(i => snapshots[i]), selected.Features.Snapshots);
        Assert.Equal(expected.Select(i => all.Labels[i]), selected.Labels);
    }

    [Fact]
    public void Account_labels_are_built_when_first_read_and_equal_those_grouped_from_every_snapshot_label()
    {
        var options = FastOptions(r => r with { MaxTrainingRows = 3_000 });
        var all = LabeledFeatures.Build(Sample, options);
        var selected = AccountPrioritizer.BuildFeatures(Sample, options);
        var lazyAll = Assert.IsType<AccountLabelList>(all.AccountLabels);
        var lazySelected = Assert.IsType<AccountLabelList>(selected.AccountLabels);
        Assert.False(lazyAll.IsBuilt);
        Assert.False(lazySelected.IsBuilt); // a run never reads them, so it never holds them

        // Every row is kept in `all`, so its labels are every snapshot's: grouped here as Build grouped them before.
        var grouped = Labeler.ByAccount(all.Labels, all.LabelOptions);
        Assert.True(grouped.Count > 100, $"{grouped.Count} account labels");
        Assert.Equal(grouped, selected.AccountLabels); // the selection's labels come from labeling the panel again
        Assert.Equal(grouped, all.AccountLabels);
        Assert.True(lazyAll.IsBuilt);
        Assert.True(lazySelected.IsBuilt);
        Assert.Equal(grouped.Count, selected.AccountLabels.Count);
        Assert.Equal(grouped[^1], selected.AccountLabels[grouped.Count - 1]);
    }

    [Fact]
    public void With_whole_column_post_processing_the_full_table_is_built_then_cut_so_values_match()
    {
        var options = PipelineOptions.Default with
        {
            Features = new FeatureOptions { WinsorizeQuantile = 0.05, Missing = MissingValuePolicy.MedianWithIndicator },
            Ranking = PipelineOptions.Default.Ranking with { MaxTrainingRows = 3_000 },
        };
        var all = LabeledFeatures.Build(Sample, options);
        var selected = AccountPrioritizer.BuildFeatures(Sample, options);
        Assert.Equal(all.Features.Registry.Names, selected.Features.Registry.Names);
        var index = Enumerable.Range(0, all.Features.RowCount).ToDictionary(i => all.Features.Snapshots[i]);
        for (int k = 0; k < selected.Features.RowCount; k++)
            Assert.Equal(all.Features.Row(index[selected.Features.Snapshots[k]]).ToArray(), selected.Features.Row(k).ToArray());
    }

    [Fact]
    public void Only_the_named_truth_tables_are_read()
    {
        var dir = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
        var (data, report) = new CrmCatalog(dir).Load(new LoadOptions { TruthTables = [TruthSchema.Risks] });
        Assert.NotEmpty(data.Truth!.Risks);
        Assert.Empty(data.Truth.Segments);
        Assert.Equal(TableStatus.Absent, report.Tables.Single(t => t.Table == "truth/segments").Status);
        var bad = Assert.Throws<OptionsValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { TruthTables = ["risk"] }));
        Assert.Contains("unknown truth table 'risk'", bad.Message);
    }
}
