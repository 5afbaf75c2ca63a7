using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Segmentation;
using Workbench.Data;
using Workbench.Domain;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Experiments;

/// <summary>Run memory (#22): <c>workbench run</c> builds one monthly panel, shares it between the features and
/// segmentation, and releases the fact tables only the panel reads once it is built. Each consumer of the shared panel
/// must give what it gives on its own panel built from the whole dataset.</summary>
public class SharedPanelTests
{
    static readonly CrmDataset Sample = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;

    static CrmDataset WithoutFactTables(CrmDataset data) =>
        data with { Spend = [], Usage = [], Engagement = [], Bookings = [], Transactions = [] };

    [Theory]
    [InlineData(null)]
    [InlineData("2024-07-15")]
    public void Segmentation_on_the_shared_panel_writes_the_same_files_as_segmentation_on_its_own_panel(string? asOfText)
    {
        DateOnly? asOf = asOfText is null ? null : DateOnly.Parse(asOfText, System.Globalization.CultureInfo.InvariantCulture);
        var own = PipelineStages.Segment(Sample, SegmentationMethod.KMeans, null, 42, TestPaths.NewTempDir("segment-own"), asOf);
        // The shared panel with a dataset that no longer has its fact tables: segmentation must read them from the panel.
        var shared = PipelineStages.Segment(WithoutFactTables(Sample), SegmentationMethod.KMeans, null, 42, TestPaths.NewTempDir("segment-shared"), asOf,
            panel: new MonthlyPanel(Sample));

        Assert.Equal(own.Profiles.AccountIds, shared.Profiles.AccountIds);
        Assert.Equal(own.Profiles.AsOf, shared.Profiles.AsOf);
        Assert.Equal(own.Profiles.ExcludedAccounts, shared.Profiles.ExcludedAccounts);
        Assert.Equal(own.Result.Assignments, shared.Result.Assignments);
        Assert.Equal(own.TrueSegments, shared.TrueSegments);
        Assert.Equal(own.Files.Select(Path.GetFileName), shared.Files.Select(Path.GetFileName));
        Assert.True(own.Files.Count >= 4, $"{own.Files.Count} files");
        foreach (var (a, b) in own.Files.Zip(shared.Files))
            Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)), $"{Path.GetFileName(a)} differs");
    }

    [Fact]
    public void Features_on_a_given_panel_read_no_fact_table_and_equal_the_features_built_from_the_dataset()
    {
        var options = PipelineOptions.Default with { Ranking = PipelineOptions.Default.Ranking with { MaxTrainingRows = 3_000 } };
        var own = AccountPrioritizer.BuildFeatures(Sample, options);
        // The run resolves "auto" before it releases the bookings and spend the choice reads.
        var resolved = options with { LabelSource = Labeler.AutoSource(Sample) };
        var shared = AccountPrioritizer.BuildFeatures(WithoutFactTables(Sample), resolved, new MonthlyPanel(Sample));

        Assert.Equal(LabelSource.Bookings, shared.LabelOptions.Source);
        Assert.Equal(own.LabelOptions, shared.LabelOptions);
        Assert.Equal(own.SnapshotCount, shared.SnapshotCount);
        Assert.Equal(own.AsOfMonths, shared.AsOfMonths);
        Assert.Equal(own.Report.Overall, shared.Report.Overall);
        Assert.Equal(own.Report.ByMonth, shared.Report.ByMonth);
        Assert.Equal(own.Report.BySegment, shared.Report.BySegment);
        Assert.Equal(own.AccountLabels, shared.AccountLabels);
        Assert.Equal(own.Labels, shared.Labels);
        Assert.Equal(own.Features.Snapshots, shared.Features.Snapshots);
        for (int i = 0; i < own.Features.RowCount; i++) Assert.Equal(own.Features.Row(i).ToArray(), shared.Features.Row(i).ToArray());
    }

    [Fact]
    public void The_run_releases_only_the_fact_tables_and_keeps_the_dataset_whole_when_an_optional_section_reads_it()
    {
        var spec = ExperimentSpec.Load(Path.Combine(TestPaths.RepoRoot, "experiments", "sample.json"));
        var slim = ExperimentRunner.WithoutFactTablesRead(spec, Sample);
        Assert.Empty(slim.Spend);
        Assert.Empty(slim.Usage);
        Assert.Empty(slim.Engagement);
        Assert.Empty(slim.Bookings);
        Assert.Empty(slim.Transactions);
        // What evaluation, explanation and segmentation still read.
        Assert.Same(Sample.Accounts, slim.Accounts);
        Assert.Same(Sample.Products, slim.Products);
        Assert.Same(Sample.Book, slim.Book);
        Assert.Same(Sample.Contracts, slim.Contracts);
        Assert.Same(Sample.Truth, slim.Truth);

        var withImpact = ExperimentSpec.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "experiments", "sample.json"))
            .Replace("\"promotion_floors\"", "\"impact\": {}, \"promotion_floors\"", StringComparison.Ordinal), TestPaths.RepoRoot);
        Assert.NotNull(withImpact.Impact);
        Assert.Same(Sample, ExperimentRunner.WithoutFactTablesRead(withImpact, Sample));
    }
}
