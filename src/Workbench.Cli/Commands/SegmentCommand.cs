using System.CommandLine;
using Workbench.Analytics.Segmentation;
using Workbench.Experiments.Pipeline;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench segment --data DIR --out DIR [--k K] [--method kmeans|gmm|dbscan] [--seed S] [--as-of DATE]</c>:
/// per-account profile features, clustering, profiles, charts and metrics (against planted segments when the data has truth).</summary>
public static class SegmentCommand
{
    static readonly IReadOnlyDictionary<string, SegmentationMethod> Methods =
        CliOptions.Choices(("kmeans", SegmentationMethod.KMeans), ("gmm", SegmentationMethod.GaussianMixture), ("dbscan", SegmentationMethod.Dbscan));

    public static Command Create()
    {
        var data = CliOptions.Data();
        var output = CliOptions.Out();
        var k = new Option<int?>("--k") { Description = "Number of segments; default: recommended by elbow, silhouette and gap statistic." };
        var method = CliOptions.ChoiceOption("--method", "kmeans, gmm or dbscan.", Methods, "kmeans");
        var seed = CliOptions.Seed();
        var asOf = CliOptions.DateOption("--as-of", "Profile date (yyyy-MM-dd): only data before it is used. Default: after the last month in the data.");
        var lenient = CliOptions.Lenient();
        return CliCommand.Create("segment", "Segment accounts on point-in-time profile features (spend, purchase frequency, breadth, utilization, usage, engagement, support); " +
            "writes assignments.csv, segment-profiles.json, segment-metrics.json and segment-charts.html.",
            [data, output, k, method, seed, asOf, lenient], p =>
        {
            var m = CliOptions.Choice(method.Name, p.GetValue(method)!, Methods);
            var date = CliOptions.Date(p, asOf);

            var dataset = DataOptions.LoadDataset(p.GetValue(data)!, p.GetValue(lenient));
            var segmented = CliProgress.Run("segmentation", _ => PipelineStages.Segment(dataset, m, p.GetValue(k), p.GetValue(seed), p.GetValue(output)!, date));
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
