using Workbench.Analytics.Segmentation;
using Workbench.Experiments.Tabular;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench segment --data DIR --out DIR [--k K] [--method kmeans|gmm|dbscan] [--seed S] [--as-of DATE]</c>:
/// per-account profile features, clustering, profiles, charts and metrics (against planted segments when the data has truth).</summary>
public static class SegmentCommand
{
    static readonly IReadOnlyDictionary<string, SegmentationMethod> Methods =
        CliOptions.Choices(("kmeans", SegmentationMethod.KMeans), ("gmm", SegmentationMethod.GaussianMixture), ("dbscan", SegmentationMethod.Dbscan));

    static readonly IReadOnlyDictionary<string, ScalingMethod> Scalings =
        CliOptions.Choices(("standard", ScalingMethod.Standard), ("robust", ScalingMethod.Robust), ("none", ScalingMethod.None));

    public static Command Create()
    {
        var io = new CommandFlags(output: "Output folder.", lenient: true);
        var data = new Option<string?>("--data") { Description = CliOptions.DataDescription + " Give --data or --table." };
        var table = new Option<string?>("--table") { Description = "Segment a wide table on its own numeric columns instead: a CSV file, or a folder written by 'workbench import' (its account_attributes.csv)." };
        var id = new Option<string?>("--id") { Description = "With --table: the id column (default account_id or id when present, else row numbers)." };
        var columns = new Option<string[]>("--columns") { Description = "With --table: columns to cluster (default: every numeric, complete, non-constant column).", AllowMultipleArgumentsPerToken = true };
        var exclude = new Option<string[]>("--exclude") { Description = "With --table: columns left out of the default choice (codes, ids).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var log1p = new Option<string[]>("--log1p") { Description = "With --table: columns transformed with log1p before scaling; 'all' (default) or 'none' or column names.", AllowMultipleArgumentsPerToken = true };
        var scaling = CliOptions.ChoiceOption("--scaling", "With --table: standard, robust or none.", Scalings, "standard");
        var compare = new Option<string?>("--compare") { Description = "With --table: a column to compare the segments with (adjusted Rand index, contingency), e.g. a sales channel." };
        var k = new Option<int?>("--k") { Description = "Number of segments; default: recommended by elbow, silhouette and gap statistic." };
        var method = CliOptions.ChoiceOption("--method", "kmeans, gmm or dbscan.", Methods, "kmeans");
        var seed = CliOptions.Seed();
        var asOf = CliOptions.DateOption("--as-of", "Profile date (yyyy-MM-dd): only data before it is used. Default: after the last month in the data.");
        return CliCommand.Create("segment", "Segment accounts on point-in-time profile features (spend, purchase frequency, breadth, utilization, usage, engagement, support); " +
            "writes assignments.csv, segment-profiles.json, segment-metrics.json and segment-charts.html.",
            io, [data, table, id, columns, exclude, log1p, scaling, compare, k, method, seed, asOf], p =>
        {
            var m = CliOptions.Choice(method.Name, p.GetValue(method)!, Methods);
            if ((p.GetValue(data) is null) == (p.GetValue(table) is null)) throw new OptionsValidationException("Give one of --data (canonical tables) or --table (a wide table).");
            if (p.GetValue(table) is { } tablePath)
            {
                var l = p.GetValue(log1p) ?? [];
                var opts = new TableSegmentationOptions
                {
                    Columns = p.GetValue(columns) is { Length: > 0 } cs ? cs : null, Exclude = p.GetValue(exclude) ?? [],
                    Log1pColumns = l is [] or ["all"] ? null : l is ["none"] ? [] : l,
                    Scaling = CliOptions.Choice(scaling.Name, p.GetValue(scaling)!, Scalings), Method = m, K = p.GetValue(k), Seed = p.GetValue(seed),
                    CompareWith = p.GetValue(compare),
                };
                var t = CliProgress.Run("segmentation", _ => TableSegmentation.Run(tablePath, p.GetValue(id), opts, io.OutDirectory(p)));
                var r = t.Result;
                Console.WriteLine($"{t.Table.Ids.Count:N0} rows of {Path.GetFileName(t.Table.Path)} on {t.Columns.Count} columns ({string.Join(", ", t.Columns)}); " +
                    $"{r.Method}, k={r.K}, silhouette {r.Silhouette.Mean:F3}, stability ARI {r.StabilityAri:F3}.");
                if (t.SkippedColumns.Count > 0) Console.WriteLine("  not clustered: " + string.Join(", ", t.SkippedColumns));
                if (r.KSelection is { } ks) Console.WriteLine("  " + ks.Reason);
                if (t.CompareAri is double ari) Console.WriteLine($"  adjusted Rand index against {opts.CompareWith}: {ari:F3}");
                foreach (var prof in r.Profiles)
                    Console.WriteLine($"  segment {prof.Segment}: {prof.Name} ({prof.Size:N0} rows, {prof.Share:P1}); " +
                        string.Join(", ", prof.DistinguishingColumns.Select(c => $"{c} SMD {prof.Column(c).StandardizedMeanDifference:+0.00;-0.00}")));
                CliCommand.Wrote(t.Files);
                return;
            }
            var date = CliOptions.Date(p, asOf);

            var dataset = DataOptions.LoadDataset(p.GetValue(data)!, p.GetValue(io.Lenient!));
            var segmented = CliProgress.Run("segmentation", _ => PipelineStages.Segment(dataset, m, p.GetValue(k), p.GetValue(seed), io.OutDirectory(p), date));
            var (result, profiles, truth, files) = (segmented.Result, segmented.Profiles, segmented.TrueSegments, segmented.Files);

            Console.WriteLine($"{profiles.AccountIds.Count:N0} accounts as of {profiles.AsOf:yyyy-MM-dd}" +
                (profiles.ExcludedAccounts.Count > 0 ? $" ({profiles.ExcludedAccounts.Count:N0} without history excluded)" : "") +
                $"; {result.Method}, k={result.K}, silhouette {result.Silhouette.Mean:F3}, stability ARI {result.StabilityAri:F3}.");
            if (result.KSelection is { } sel) Console.WriteLine("  " + sel.Reason);
            if (truth is not null)
                Console.WriteLine($"  planted segments: {truth.Distinct().Count()}, adjusted Rand index {result.CompareWith(truth).AdjustedRandIndex:F3}");
            foreach (var prof in result.Profiles) Console.WriteLine($"  segment {prof.Segment}: {prof.Name} ({prof.Share:P1})");
            CliCommand.Wrote(files);
        });
    }
}
