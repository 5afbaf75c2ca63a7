using Workbench.Analytics.Explanation;
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

    static void AssertNoFactTables(CrmDataset data)
    {
        Assert.Empty(data.Spend);
        Assert.Empty(data.Usage);
        Assert.Empty(data.Engagement);
        Assert.Empty(data.Bookings);
        Assert.Empty(data.Transactions);
    }

    static CrmDataset WithoutFactTables(CrmDataset data) => MonthlyPanel.WithoutFactTables(data);

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
        AssertNoFactTables(slim);
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

    [Fact]
    public void A_panel_built_releasing_the_fact_tables_equals_the_panel_of_the_whole_dataset_and_keeps_none_of_its_rows()
    {
        var expected = new MonthlyPanel(Sample);
        var panel = BuildFromACopy(out var data, out int releases, out var spend, out var usage, out var engagement, out var bookings);

        // The caller's dataset is now the dataset without the fact tables; what the later stages read is the same.
        AssertNoFactTables(data);
        Assert.Same(Sample.Accounts, data.Accounts);
        Assert.Same(Sample.Contracts, data.Contracts);
        Assert.Same(Sample.Truth, data.Truth);
        Assert.Equal(2, releases); // spend with engagement, then usage with bookings and transactions (two tables at a time)

        Assert.Equal(expected.FirstMonth, panel.FirstMonth);
        Assert.Equal(expected.Months, panel.Months);
        Assert.Equal(expected.AccountIds, panel.AccountIds);
        Assert.Equal(expected.ProductIds, panel.ProductIds);
        Assert.Equal(expected.Pairs, panel.Pairs);
        Assert.Equal(expected.PairStart, panel.PairStart);
        foreach (var (a, b) in new[]
                 {
                     (expected.Spend, panel.Spend), (expected.SpendPrefix, panel.SpendPrefix), (expected.SeatsPurchased, panel.SeatsPurchased),
                     (expected.SeatsUsed, panel.SeatsUsed), (expected.ActiveUsers, panel.ActiveUsers), (expected.Utilization, panel.Utilization),
                     (expected.KeyActions, panel.KeyActions), (expected.UpsellAmount, panel.UpsellAmount), (expected.ChurnAmount, panel.ChurnAmount),
                     (expected.TicketSeverity, panel.TicketSeverity), (expected.SurveySum, panel.SurveySum),
                 })
            Assert.True(a.AsSpan().SequenceEqual(b)); // bit for bit (NaN included)
        foreach (var (a, b) in new[]
                 {
                     (expected.AddOns, panel.AddOns), (expected.Downgrades, panel.Downgrades), (expected.Cancellations, panel.Cancellations),
                     (expected.NonRenewals, panel.NonRenewals), (expected.PriceChanges, panel.PriceChanges), (expected.Emails, panel.Emails),
                     (expected.Meetings, panel.Meetings), (expected.Tickets, panel.Tickets), (expected.Trainings, panel.Trainings),
                     (expected.ChampionChanges, panel.ChampionChanges), (expected.SurveyCount, panel.SurveyCount), (expected.Purchases, panel.Purchases),
                 })
            Assert.True(a.AsSpan().SequenceEqual(b));
        Assert.Equal(expected.ContractsByPair.Select(l => l.ToArray()), panel.ContractsByPair.Select(l => l.ToArray()));

        // Nothing holds the rows any more: they are collected while the panel lives on.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(spend.IsAlive, "spend rows still reachable");
        Assert.False(usage.IsAlive, "usage rows still reachable");
        Assert.False(engagement.IsAlive, "engagement rows still reachable");
        Assert.False(bookings.IsAlive, "booking rows still reachable");
        GC.KeepAlive(panel);
    }

    /// <summary>Builds a panel releasing the fact tables of a copy of the sample (the shared sample keeps its rows), in a
    /// frame of its own so that no local of the test's frame ever held the whole copy; weak references to its tables.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static MonthlyPanel BuildFromACopy(out CrmDataset slim, out int releases,
        out WeakReference spend, out WeakReference usage, out WeakReference engagement, out WeakReference bookings)
    {
        var data = Sample with
        {
            Spend = Sample.Spend.ToArray(), Usage = Sample.Usage.ToArray(), Engagement = Sample.Engagement.ToArray(), Bookings = Sample.Bookings.ToArray(),
        };
        spend = new WeakReference(data.Spend); usage = new WeakReference(data.Usage);
        engagement = new WeakReference(data.Engagement); bookings = new WeakReference(data.Bookings);
        int released = 0;
        var panel = MonthlyPanel.BuildReleasing(ref data, () => released++);
        slim = data;
        releases = released;
        return panel;
    }

    [Fact]
    public void Explanation_after_the_planted_risks_are_cut_to_the_explained_month_measures_the_same_driver_match()
    {
        var options = PipelineOptions.Default with { LabelSource = Labeler.AutoSource(Sample) };
        var train = PipelineStages.Train(Sample, options, TestPaths.NewTempDir("risks-cut-train"));
        var latest = train.Features.Features.Panel.MonthAt(train.Features.Features.Snapshots.Max(s => s.AsOfMonth));
        var cut = ExperimentRunner.WithPlantedRisksOf(Sample, latest);
        Assert.True(cut.Truth!.Risks.Count > 0 && cut.Truth.Risks.Count < Sample.Truth!.Risks.Count / 10,
            $"{cut.Truth.Risks.Count} of {Sample.Truth!.Risks.Count} risk rows kept");
        Assert.All(cut.Truth.Risks, r => Assert.Equal(latest, r.Month));

        var full = PipelineStages.Explain(train.Model, Sample, new NarrativeOptions(), TestPaths.NewTempDir("risks-full"), train.Features);
        var after = PipelineStages.Explain(train.Model, cut, new NarrativeOptions(), TestPaths.NewTempDir("risks-cut"), train.Features);
        Assert.NotNull(full.Summary.ChurnFidelity);
        foreach (var (a, b) in new[] { (full.Summary.ChurnFidelity, after.Summary.ChurnFidelity), (full.Summary.UpsellFidelity, after.Summary.UpsellFidelity) })
        {
            Assert.NotNull(b);
            Assert.Equal((a!.Rows, a.Matches), (b!.Rows, b.Matches));
            Assert.Equal(a.TopConcepts.OrderBy(p => p.Key, StringComparer.Ordinal), b.TopConcepts.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        Assert.Equal(full.Summary.DriverMatchTopDecile, after.Summary.DriverMatchTopDecile);
    }
}
