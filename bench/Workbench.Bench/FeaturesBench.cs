using System.Diagnostics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Data;
using Workbench.Domain;
using Workbench.Experiments.Artifacts;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>
/// Labels and point-in-time features for the generated dataset (accounts x 5 products x months), loaded from
/// bench/data (Parquet; load time is reported apart and not counted).
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll features 100000 36 [step=1] [repeats=3]
/// Times, per run: (a) the full stage, <c>LabeledFeatures.Build</c> (panel, snapshots, labels, all 45
/// features, label report, account labels); (b) the same stages but only the subset bench/features_pandas.py
/// computes (panel, snapshots, labels, 9 features): the fair side of the pandas comparison.
/// Then writes features.csv (FeatureArtifacts) for every 100th account to bench/data/features-.../ for the pandas check.
/// </summary>
static class FeaturesBench
{
    /// <summary>The features bench/features_pandas.py computes too.</summary>
    public static readonly string[] PandasSubset =
    [
        "spend_mean_1m", "spend_mean_3m", "spend_mean_6m", "spend_mean_12m", "utilization_1m", "utilization_change_3m",
        "meetings_3m", "tickets_3m", "product_tenure_months",
    ];

    public static int Run(string[] args)
    {
        int accounts = IntArg(args, 0, 100_000), months = IntArg(args, 1, 36), step = IntArg(args, 2, 1), repeats = IntArg(args, 3, 3);
        var snapshotOptions = new SnapshotOptions { StepMonths = step };
        var sw = Stopwatch.StartNew();
        var data = LoadDataset(accounts, months);
        Console.WriteLine(string.Create(Inv,
            $"features {accounts}x{months}, step {step} month(s): loaded Parquet in {sw.Elapsed.TotalSeconds:F1} s (not counted), spend {data.Spend.Count:N0}, usage {data.Usage.Count:N0}, engagement {data.Engagement.Count:N0}, bookings {data.Bookings.Count:N0} rows; peak WS after load {Mb(PeakWorkingSet()):F0} MB; {Load()}"));

        var full = new List<double>();
        var subset = new List<double>();
        LabeledFeatures? lf = null;
        for (int r = 0; r < repeats; r++)
        {
            lf = null;
            GC.Collect();
            var (wall, cpu) = Time(() => lf = LabeledFeatures.Build(data, snapshotOptions));
            full.Add(wall);
            int n = lf!.Features.RowCount;
            Console.WriteLine(string.Create(Inv,
                $"  run {r + 1} full: {n:N0} account-product snapshots x {lf.Features.ColumnCount} features, wall {wall:F2} s, CPU {cpu:F2} s, {n / wall:N0} snapshots/s, peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
            if (r < repeats - 1) lf = null;
            GC.Collect();
            var stages = SubsetStages(data, snapshotOptions);
            subset.Add(stages.Total);
            Console.WriteLine(string.Create(Inv,
                $"  run {r + 1} subset ({PandasSubset.Length} features + labels): wall {stages.Total:F2} s = panel {stages.Panel:F2} + snapshots {stages.Snapshots:F2} + labels {stages.Labels:F2} + features {stages.Features:F2}; {Load()}"));
        }
        Console.WriteLine($"features full: {Summary(full)}; subset: {Summary(subset)}; peak WS {Mb(PeakWorkingSet()):F0} MB");
        var counts = lf!.Labels.GroupBy(l => l.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}");
        Console.WriteLine($"  snapshots by as-of month: {lf.Features.Snapshots.Select(s => s.AsOfMonth).Distinct().Count()} as-of months; labels: {string.Join(", ", counts)}");

        // features.csv for every 100th account (all its snapshots) for the pandas side to check against.
        var outDir = Path.Combine(BenchDir(), "data", string.Create(Inv, $"features-{accounts}x{months}-step{step}"));
        var keep = Enumerable.Range(0, lf.Features.RowCount).Where(i => lf.Features.Snapshots[i].Account % 100 == 0).ToHashSet();
        var sample = lf with
        {
            Features = lf.Features.Where(s => s.Account % 100 == 0),
            Labels = lf.Labels.Where((_, i) => keep.Contains(i)).ToArray(),
        };
        FeatureArtifacts.Write(sample, outDir);
        Console.WriteLine($"  wrote {sample.Features.RowCount:N0} sample rows (every 100th account) to {Path.Combine(outDir, FeatureArtifacts.FeaturesFile)}");
        return 0;
    }

    public sealed record StageTimes(double Panel, double Snapshots, double Labels, double Features)
    {
        public double Total => Panel + Snapshots + Labels + Features;
    }

    /// <summary>The library's own panel, snapshot and label code, then only the subset of feature specs.</summary>
    static StageTimes SubsetStages(CrmDataset data, SnapshotOptions snapshotOptions)
    {
        var sw = Stopwatch.StartNew();
        var panel = new MonthlyPanel(data);
        double tPanel = sw.Elapsed.TotalSeconds; sw.Restart();
        var snaps = Snapshots.Build(panel, snapshotOptions);
        double tSnaps = sw.Elapsed.TotalSeconds; sw.Restart();
        var labelOptions = new LabelOptions { Source = LabelSource.Bookings };
        var labels = Labeler.Label(panel, snaps, snapshotOptions, labelOptions);
        double tLabels = sw.Elapsed.TotalSeconds; sw.Restart();
        var specs = PandasSubset.Select(name => FeatureCatalog.All.Single(s => s.Definition.Name == name)).ToArray();
        var builder = new FeatureBuilder(panel);
        int d = specs.Length;
        var values = new float[(long)snaps.Count * d];
        Parallel.For(0, snaps.Count, i =>
        {
            var s = snaps[i];
            var ctx = new FeatureContext(builder, panel, s.Pair, s.Account, s.AsOfMonth);
            long row = (long)i * d;
            for (int j = 0; j < d; j++) values[row + j] = (float)specs[j].Compute(ctx);
        });
        double tFeatures = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(labels);
        return new StageTimes(tPanel, tSnaps, tLabels, tFeatures);
    }
}
